// Turns the CNI inputs — environment variables and the network config on stdin — into a typed
// request, or a CniError with the code the spec (and libcni's skel) gives each mistake. The plugin
// runs it to fail fast without the agent; the agent runs it again on what the plugin forwarded,
// so both sides agree by construction. No dependencies: it is on the plugin's start path.
import {
  CniError,
  ErrorCode,
  SUPPORTED_VERSIONS,
  type CniCommand,
  type CniResult,
  type CniVersion,
} from './spec.cjs';

/** The network config (one plugin's entry of a conflist, as the runtime hands it over). */
export interface NetConf {
  readonly cniVersion: CniVersion;
  readonly name: string;
  readonly type: string;
  /** The agent's CNI socket; Antrea's default when absent. */
  readonly socketPath?: string;
  readonly prevResult?: CniResult;
}

/** The Kubernetes identity that kubelet puts into CNI_ARGS. */
export interface PodRef {
  readonly namespace: string;
  readonly name: string;
}

interface Common {
  readonly conf: NetConf;
}

/** ADD and CHECK: the container and its netns must exist. */
export interface AttachRequest extends Common {
  readonly command: 'ADD' | 'CHECK';
  readonly containerId: string;
  readonly netns: string;
  readonly ifName: string;
  readonly pod: PodRef;
}

/** DEL: the netns may already be gone, and CNI_ARGS may be missing. */
export interface DelRequest extends Common {
  readonly command: 'DEL';
  readonly containerId: string;
  readonly netns?: string;
  readonly ifName: string;
  readonly pod?: PodRef;
}

export interface Attachment {
  readonly containerId: string;
  readonly ifName: string;
}

/** GC (CNI 1.1): every attachment not listed is stale. */
export interface GcRequest extends Common {
  readonly command: 'GC';
  readonly validAttachments: readonly Attachment[];
}

export interface StatusRequest extends Common {
  readonly command: 'STATUS';
}

export interface VersionRequest {
  readonly command: 'VERSION';
}

export type CniRequest = AttachRequest | DelRequest | GcRequest | StatusRequest | VersionRequest;

const COMMANDS: readonly CniCommand[] = ['ADD', 'DEL', 'CHECK', 'VERSION', 'GC', 'STATUS'];

/** Environment variables each command needs (libcni's skel, plus CNI_PATH for GC). */
const REQUIRED_ENV: Readonly<Record<CniCommand, readonly string[]>> = {
  ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
  CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
  DEL: ['CNI_CONTAINERID', 'CNI_IFNAME', 'CNI_PATH'],
  GC: ['CNI_PATH'],
  STATUS: [],
  VERSION: [],
};

/** The first version that defines each command; older configs may not use it. */
const SINCE: Readonly<Partial<Record<CniCommand, CniVersion>>> = {
  CHECK: '0.4.0',
  GC: '1.1.0',
  STATUS: '1.1.0',
};

// libcni's ValidateContainerID and ValidateNetworkName.
const ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function versionAtLeast(v: CniVersion, min: CniVersion): boolean {
  return SUPPORTED_VERSIONS.indexOf(v) >= SUPPORTED_VERSIONS.indexOf(min);
}

const invalidEnv = (msg: string, details?: string): CniError =>
  new CniError(ErrorCode.InvalidEnvironment, msg, details);
const invalidConf = (msg: string): CniError => new CniError(ErrorCode.InvalidNetworkConfig, msg);

/** libcni's ValidateInterfaceName: a Linux interface name. */
function checkIfName(name: string): void {
  if (name.length > 15 || name === '.' || name === '..' || /[/:\s]/.test(name)) {
    throw invalidEnv(`invalid CNI_IFNAME "${name}"`, 'at most 15 characters, no "/", ":" or space');
  }
}

/** `K8S_POD_NAMESPACE=ns;K8S_POD_NAME=name;…` (unknown keys are ignored, as kubelet's are). */
function parseCniArgs(text: string | undefined): Map<string, string> {
  const args = new Map<string, string>();
  for (const pair of (text ?? '').split(';')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw invalidEnv(`invalid CNI_ARGS pair "${pair}"`, 'want KEY=VALUE;…');
    args.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return args;
}

// Kubernetes object names (DNS-1123 subdomains). Checked because they end up in interface names
// and in the agent's `ip -batch` input.
const K8S_NAME_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function podRef(args: Map<string, string>): PodRef | undefined {
  const namespace = args.get('K8S_POD_NAMESPACE');
  const name = args.get('K8S_POD_NAME');
  if (!namespace || !name) return undefined;
  for (const [key, value] of [
    ['K8S_POD_NAMESPACE', namespace],
    ['K8S_POD_NAME', name],
  ]) {
    if (!K8S_NAME_RE.test(value))
      throw invalidEnv(`invalid ${key} "${value}" in CNI_ARGS`, 'not a Kubernetes name');
  }
  return { namespace, name };
}

/** An absolute path without whitespace (it is passed on to `ip` and `nsenter`). */
function checkNetns(path: string): void {
  if (!path.startsWith('/') || /\s/.test(path)) {
    throw invalidEnv(
      `invalid CNI_NETNS "${path}"`,
      'want an absolute path such as /var/run/netns/NAME',
    );
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The config's cniVersion if it is one we speak: error objects are written in it. */
export function configVersion(stdin: string): CniVersion | undefined {
  try {
    const v: unknown = JSON.parse(stdin);
    const version = isObject(v) ? v.cniVersion : undefined;
    return (SUPPORTED_VERSIONS as readonly unknown[]).includes(version)
      ? (version as CniVersion)
      : undefined;
  } catch {
    return undefined;
  }
}

function parseConf(stdin: string, command: CniCommand): NetConf & Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(stdin);
  } catch (e) {
    throw new CniError(
      ErrorCode.DecodingFailure,
      'failed to decode the network config on stdin',
      (e as Error).message,
    );
  }
  if (!isObject(raw))
    throw new CniError(ErrorCode.DecodingFailure, 'network config: not a JSON object');
  const { cniVersion, name, type, socketPath, prevResult } = raw;
  if (typeof cniVersion !== 'string' || cniVersion === '')
    throw invalidConf('network config: cniVersion is required');
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(cniVersion)) {
    throw new CniError(
      ErrorCode.IncompatibleVersion,
      'incompatible CNI versions',
      `config is "${cniVersion}", plugin supports ${JSON.stringify(SUPPORTED_VERSIONS)}`,
    );
  }
  const version = cniVersion as CniVersion;
  const since = SINCE[command];
  if (since !== undefined && !versionAtLeast(version, since)) {
    throw new CniError(
      ErrorCode.IncompatibleVersion,
      `config version ${version} does not allow ${command}`,
      `${command} needs cniVersion ${since} or later`,
    );
  }
  if (typeof name !== 'string' || !ID_RE.test(name)) {
    throw invalidConf(`network config: invalid name ${JSON.stringify(name)}`);
  }
  if (typeof type !== 'string' || type === '')
    throw invalidConf('network config: type is required');
  if (socketPath !== undefined && (typeof socketPath !== 'string' || !socketPath.startsWith('/'))) {
    throw invalidConf('network config: socketPath must be an absolute path');
  }
  if (prevResult !== undefined && !isObject(prevResult)) {
    throw invalidConf('network config: prevResult must be an object');
  }
  return raw as NetConf & Record<string, unknown>;
}

function parseAttachments(conf: Record<string, unknown>): Attachment[] {
  const list = conf['cni.dev/valid-attachments'];
  if (!Array.isArray(list)) throw invalidConf('GC: cni.dev/valid-attachments (a list) is required');
  return list.map((a: unknown, i) => {
    if (!isObject(a) || typeof a.containerID !== 'string' || typeof a.ifname !== 'string') {
      throw invalidConf(`GC: cni.dev/valid-attachments[${i}] needs containerID and ifname`);
    }
    return { containerId: a.containerID, ifName: a.ifname };
  });
}

export function parseRequest(
  env: Readonly<Record<string, string | undefined>>,
  stdin: string,
): CniRequest {
  const command = env.CNI_COMMAND;
  if (command === undefined || command === '')
    throw invalidEnv('required env variables [CNI_COMMAND] missing');
  if (!(COMMANDS as readonly string[]).includes(command))
    throw invalidEnv(`unknown CNI_COMMAND: ${command}`);
  const cmd = command as CniCommand;
  if (cmd === 'VERSION') return { command: cmd };
  const missing = REQUIRED_ENV[cmd].filter((k) => !env[k]);
  if (missing.length > 0) throw invalidEnv(`required env variables [${missing.join(',')}] missing`);
  const conf = parseConf(stdin, cmd);
  switch (cmd) {
    case 'STATUS':
      return { command: cmd, conf };
    case 'GC':
      return { command: cmd, conf, validAttachments: parseAttachments(conf) };
    case 'ADD':
    case 'CHECK':
    case 'DEL': {
      const containerId = env.CNI_CONTAINERID ?? '';
      if (!ID_RE.test(containerId))
        throw invalidEnv('invalid characters in CNI_CONTAINERID', containerId);
      const ifName = env.CNI_IFNAME ?? '';
      checkIfName(ifName);
      const pod = podRef(parseCniArgs(env.CNI_ARGS));
      const netns = env.CNI_NETNS ?? '';
      if (netns !== '') checkNetns(netns);
      if (cmd === 'DEL')
        return { command: cmd, conf, containerId, ifName, netns: netns || undefined, pod };
      if (pod === undefined) {
        throw invalidEnv(
          'CNI_ARGS must name the pod',
          'K8S_POD_NAMESPACE and K8S_POD_NAME are required',
        );
      }
      if (cmd === 'CHECK' && conf.prevResult === undefined) {
        throw invalidConf('CHECK: prevResult is required in the network config');
      }
      return { command: cmd, conf, containerId, ifName, netns, pod };
    }
    default: {
      const never: never = cmd;
      throw invalidEnv(`unknown CNI_COMMAND: ${String(never)}`);
    }
  }
}
