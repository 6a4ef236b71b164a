// A container runtime's side of CNI, as containerd (through libcni) does it: the plugin found by
// the conflist's `type` in the CNI bin dir, run with the CNI_* environment and the plugin's
// config on stdin — `name` and `cniVersion` injected from the list, `prevResult` for CHECK and
// DEL. Tests and benchmarks drive the plugin only through this.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Sandbox {
  readonly containerId: string;
  /** Path of the pod's network namespace. */
  readonly netns: string;
  readonly namespace: string;
  readonly name: string;
  readonly ifName: string;
}

export interface PluginRun {
  /** The plugin's exit code. */
  readonly code: number;
  readonly stdout: string;
  /** stdout parsed, when it is JSON. */
  readonly json: Record<string, unknown> | undefined;
  readonly ms: number;
}

interface Conflist {
  readonly cniVersion: string;
  readonly name: string;
  readonly plugins: readonly Record<string, unknown>[];
}

/** Runs an executable with this environment and stdin, like libcni's invoke.RawExec. */
export function execPlugin(
  path: string,
  env: Record<string, string>,
  stdin: string,
): Promise<PluginRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(path, [], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, stdout, json, ms: performance.now() - started });
    });
    child.stdin.end(stdin);
  });
}

export class CniRuntime {
  readonly list: Conflist;

  constructor(
    conflistPath: string,
    readonly binDir: string,
  ) {
    this.list = JSON.parse(readFileSync(conflistPath, 'utf8')) as Conflist;
  }

  /** The one plugin's config as libcni builds it. */
  config(prevResult?: unknown): Record<string, unknown> {
    return {
      ...this.list.plugins[0],
      name: this.list.name,
      cniVersion: this.list.cniVersion,
      ...(prevResult === undefined ? {} : { prevResult }),
    };
  }

  env(command: string, sb?: Sandbox): Record<string, string> {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      CNI_COMMAND: command,
      CNI_PATH: this.binDir,
    };
    if (sb !== undefined) {
      Object.assign(env, {
        CNI_CONTAINERID: sb.containerId,
        CNI_NETNS: sb.netns,
        CNI_IFNAME: sb.ifName,
        CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${sb.namespace};K8S_POD_NAME=${sb.name};K8S_POD_INFRA_CONTAINER_ID=${sb.containerId}`,
      });
    }
    return env;
  }

  get plugin(): string {
    return join(this.binDir, String(this.list.plugins[0].type));
  }

  exec(env: Record<string, string>, stdin: string): Promise<PluginRun> {
    return execPlugin(this.plugin, env, stdin);
  }

  add(sb: Sandbox): Promise<PluginRun> {
    return this.exec(this.env('ADD', sb), JSON.stringify(this.config()));
  }

  check(sb: Sandbox, prevResult: unknown): Promise<PluginRun> {
    return this.exec(this.env('CHECK', sb), JSON.stringify(this.config(prevResult)));
  }

  del(sb: Sandbox, prevResult?: unknown): Promise<PluginRun> {
    return this.exec(this.env('DEL', sb), JSON.stringify(this.config(prevResult)));
  }
}
