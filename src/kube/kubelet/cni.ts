// Calls CNI plugins exactly like a container runtime (libcni) does, CNI spec 1.0.0: the network
// is the first `*.conflist` of the config dir (by name, re-read on every call, so an install-cni
// that writes it later is picked up); each plugin is the executable named by its `type` in
// CNI_PATH, run with the CNI_* variables and its network config on stdin — `name` and
// `cniVersion` injected from the list, `prevResult` chained from the plugin before it on ADD
// and set to the cached ADD result on DEL, which runs the plugins in reverse order.
import { spawn } from 'node:child_process';
import { access, readdir, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import type { CniErrorObject, CniResult } from '../../cni/spec.cjs';

export interface CniAttachment {
  readonly containerId: string;
  /** The netns name; its path /var/run/netns/NAME goes into CNI_NETNS. */
  readonly netns: string;
  readonly pod: { readonly namespace: string; readonly name: string; readonly uid: string };
}

interface PluginConf {
  readonly type: string;
  readonly [key: string]: unknown;
}

interface NetworkConfigList {
  readonly cniVersion: string;
  readonly name: string;
  readonly plugins: readonly PluginConf[];
}

const IF_NAME = 'eth0';
const PLUGIN_TIMEOUT_MS = 120_000;

/** A plugin that failed; the message is the plugin's own error object when it printed one. */
export class CniCallError extends Error {
  constructor(
    readonly command: 'ADD' | 'DEL',
    readonly plugin: string,
    readonly code: number | undefined,
    message: string,
  ) {
    super(`CNI ${command} of plugin ${plugin}: ${message}`);
    this.name = 'CniCallError';
  }
}

export class CniRunner {
  /** `binDirs`: CNI_PATH, one or more directories separated by `:`. */
  constructor(
    private readonly confDir: string,
    private readonly binDirs: string,
  ) {}

  /** Runs ADD through the list; resolves with the last plugin's result. */
  async add(a: CniAttachment): Promise<CniResult> {
    const list = await this.loadList();
    let prev: CniResult | undefined;
    for (const plugin of list.plugins) {
      const out = await this.call('ADD', a, list, plugin, prev);
      prev = JSON.parse(out) as CniResult;
    }
    if (prev === undefined) throw new Error(`network config ${list.name} has no plugins`);
    return prev;
  }

  /** Runs DEL through the list in reverse; every plugin runs even when one fails. */
  async del(a: CniAttachment, prevResult: CniResult | undefined): Promise<void> {
    const list = await this.loadList();
    const errors: Error[] = [];
    for (const plugin of [...list.plugins].reverse()) {
      await this.call('DEL', a, list, plugin, prevResult).catch((e: Error) => errors.push(e));
    }
    if (errors.length > 0) throw errors[0]!;
  }

  private async loadList(): Promise<NetworkConfigList> {
    const names = (await readdir(this.confDir).catch(() => [] as string[]))
      .filter((n) => n.endsWith('.conflist'))
      .sort();
    if (names.length === 0) {
      throw new Error(`network plugin not ready: no *.conflist in ${this.confDir}`);
    }
    const path = join(this.confDir, names[0]!);
    const list = JSON.parse(await readFile(path, 'utf8')) as Partial<NetworkConfigList>;
    if (typeof list.name !== 'string' || typeof list.cniVersion !== 'string') {
      throw new Error(`${path}: a conflist needs name and cniVersion`);
    }
    if (!Array.isArray(list.plugins) || list.plugins.some((p) => typeof p?.type !== 'string')) {
      throw new Error(`${path}: plugins must be a list of objects with a type`);
    }
    return list as NetworkConfigList;
  }

  private async pluginPath(type: string): Promise<string> {
    for (const dir of this.binDirs.split(':').filter((d) => d !== '')) {
      const path = join(dir, type);
      if (
        await access(path, constants.X_OK).then(
          () => true,
          () => false,
        )
      )
        return path;
    }
    throw new Error(`failed to find plugin "${type}" in path [${this.binDirs}]`);
  }

  private async call(
    command: 'ADD' | 'DEL',
    a: CniAttachment,
    list: NetworkConfigList,
    plugin: PluginConf,
    prevResult: CniResult | undefined,
  ): Promise<string> {
    const conf = {
      ...plugin,
      cniVersion: list.cniVersion,
      name: list.name,
      ...(prevResult === undefined ? {} : { prevResult }),
    };
    const env = {
      ...process.env,
      CNI_COMMAND: command,
      CNI_CONTAINERID: a.containerId,
      CNI_NETNS: `/var/run/netns/${a.netns}`,
      CNI_IFNAME: IF_NAME,
      CNI_PATH: this.binDirs,
      CNI_ARGS: [
        'IgnoreUnknown=1',
        `K8S_POD_NAMESPACE=${a.pod.namespace}`,
        `K8S_POD_NAME=${a.pod.name}`,
        `K8S_POD_INFRA_CONTAINER_ID=${a.containerId}`,
        `K8S_POD_UID=${a.pod.uid}`,
      ].join(';'),
    };
    const path = await this.pluginPath(plugin.type);
    const { code, stdout, stderr } = await execPlugin(path, env, JSON.stringify(conf));
    if (code === 0) return stdout;
    let message = stderr.trim() || `exited with code ${code}`;
    try {
      const err = JSON.parse(stdout) as CniErrorObject;
      if (typeof err.msg === 'string')
        message = err.details ? `${err.msg}: ${err.details}` : err.msg;
    } catch {
      // no error object on stdout: keep stderr
    }
    throw new CniCallError(command, plugin.type, code ?? undefined, message);
  }
}

/**
 * Runs one plugin. Unlike util/exec's run(), a failure keeps stdout: that is where a CNI plugin
 * writes its error object.
 */
function execPlugin(
  path: string,
  env: NodeJS.ProcessEnv,
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), PLUGIN_TIMEOUT_MS);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
    child.stdin.on('error', () => undefined); // a plugin may exit before reading its config
    child.stdin.end(input);
  });
}
