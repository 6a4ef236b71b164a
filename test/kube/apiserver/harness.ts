// Test harness: an API server in a temporary directory, its kubeconfig, and the real kubectl
// pointed at it (HOME is the temp dir too, so kubectl's discovery cache stays private).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer, type ApiServerOptions } from '../../../src/kube/apiserver/server.js';

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface HttpResult {
  readonly status: number;
  readonly text: string;
  // any: assertions read whatever shape the server answered with.
  json(): any;
}

export interface WatchEvent {
  readonly type: string;
  // any: assertions read whatever object the event carries.
  readonly object: any;
}

export interface WatchStream {
  readonly events: WatchEvent[];
  close(): void;
}

export class Harness {
  readonly kubeconfig: string;

  private constructor(
    readonly dir: string,
    readonly server: ApiServer,
  ) {
    this.kubeconfig = join(dir, 'kubeconfig');
    server.writeKubeconfig(this.kubeconfig);
  }

  static async start(opts: Partial<ApiServerOptions> = {}): Promise<Harness> {
    const dir = mkdtempSync(join(tmpdir(), 'apiserver-test-'));
    const server = await ApiServer.start({ dataDir: join(dir, 'data'), port: 0, ...opts });
    return new Harness(dir, server);
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, KUBECONFIG: this.kubeconfig, HOME: this.dir };
  }

  /** Runs kubectl to completion; `input` goes to its stdin. */
  kubectl(args: readonly string[], input?: string): Promise<KubectlResult> {
    return runKubectl(args, this.env, input);
  }

  /** A raw HTTPS request to the server (with the token unless `token` is given). */
  http(
    method: string,
    path: string,
    opts: { body?: unknown; contentType?: string; token?: string; accept?: string } = {},
  ): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const data = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      const headers: Record<string, string> = {
        Authorization: `Bearer ${opts.token ?? this.server.token}`,
        Accept: opts.accept ?? 'application/json',
      };
      if (data !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
      const req = request(
        `${this.server.url}${path}`,
        { method, ca: this.server.caCert, headers },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) }),
          );
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  /** Opens a watch (`path` with its query) and collects its events until close(). */
  watch(path: string): Promise<WatchStream> {
    return new Promise((resolve, reject) => {
      const events: WatchEvent[] = [];
      const req = request(
        `${this.server.url}${path}`,
        { ca: this.server.caCert, headers: { Authorization: `Bearer ${this.server.token}` } },
        (res) => {
          let buf = '';
          res.on('data', (d: Buffer) => {
            buf += d.toString();
            for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
              events.push(JSON.parse(buf.slice(0, i)) as WatchEvent);
              buf = buf.slice(i + 1);
            }
          });
          resolve({ events, close: () => req.destroy() });
        },
      );
      req.on('error', reject); // after resolve (e.g. close()), a no-op
      req.end();
    });
  }

  /** Writes a manifest file in the temp dir and returns its path. */
  manifest(name: string, yaml: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, yaml);
    return path;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function runKubectl(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Splits kubectl's table output into rows of cells (columns are separated by 2+ spaces). */
export function table(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
}

export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000, // generous: a loaded CI machine is slow, a passing check returns at once
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
