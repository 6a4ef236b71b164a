// A container's environment and command line, as the kubelet builds them: the host's PATH and
// HOME (commands come from the host's filesystem), HOSTNAME, the node's extra variables
// (--node-env), then the container's `env` in order — with `valueFrom.fieldRef` and kube's
// `$(VAR)` references to the variables before it. Both exec and the container's processes use it.
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from '../../apis/core.js';

/** core/v1 EnvVar: the fields the local cluster can fill (no Secrets or ConfigMaps here). */
interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly fieldRef?: { readonly fieldPath: string } };
}

export interface PodAddresses {
  readonly podIPs: readonly string[];
  readonly hostIP: string;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** kube's `$(VAR)` expansion: defined variables are replaced, `$$` is a literal `$`. */
export function expand(s: string, env: Readonly<Record<string, string>>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) =>
    name === undefined ? '$' : (env[name] ?? m),
  );
}

/** The value of a downward-API field path (`metadata.labels['app']`, `status.podIP`, …). */
function fieldValue(pod: Pod, path: string, addr: PodAddresses): string {
  const keyed = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (keyed) return pod.metadata[keyed[1] as 'labels' | 'annotations']?.[keyed[2]!] ?? '';
  const spec = pod.spec as { serviceAccountName?: string } | undefined;
  const fields: Record<string, string | undefined> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': spec?.serviceAccountName ?? 'default',
    'status.podIP': addr.podIPs[0],
    'status.podIPs': addr.podIPs.join(','),
    'status.hostIP': addr.hostIP,
    'status.hostIPs': addr.hostIP,
  };
  return fields[path] ?? '';
}

export function containerEnv(
  pod: Pod,
  container: Container,
  addr: PodAddresses,
  nodeEnv: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? DEFAULT_PATH,
    ...(process.env['HOME'] ? { HOME: process.env['HOME'] } : {}),
    HOSTNAME: pod.metadata.name ?? '',
    ...nodeEnv,
  };
  for (const v of (container.env ?? []) as readonly EnvVar[]) {
    const ref = v.valueFrom?.fieldRef?.fieldPath;
    env[v.name] = ref !== undefined ? fieldValue(pod, ref, addr) : expand(v.value ?? '', env);
  }
  return env;
}

/** The container's argv with `$(VAR)` expanded; undefined when it has no command (built-in). */
export function containerArgv(
  container: Container,
  env: Readonly<Record<string, string>>,
): string[] | undefined {
  if (!container.command || container.command.length === 0) return undefined;
  return [...container.command, ...(container.args ?? [])].map((a) => expand(a, env));
}

/** The executable `cmd` names on the host, found as execvp would; undefined if there is none. */
export function resolveCommand(cmd: string, path: string): string | undefined {
  const candidates = cmd.includes('/') ? [cmd] : path.split(':').map((d) => join(d || '.', cmd));
  return candidates.find((c) => {
    try {
      accessSync(c, constants.X_OK);
      return statSync(c).isFile();
    } catch {
      return false;
    }
  });
}
