// HTTP clients that run inside a pod's network namespace for Service tests and benchmarks:
// a burst of requests, each on a new connection, counted by the answering backend (the
// built-in pod server answers `namespace/name`); and one kept-alive connection that sends a
// request whenever asked, to show an open connection outliving a change.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { run } from '../../src/util/exec.js';

/** argv: url, requests, concurrency, keepAlive. Prints {counts: {backend: n}, failed: n, ms}. */
const BURST = `
const http = require('node:http');
const [url, total, concurrency] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const agent = new http.Agent({ keepAlive: process.argv[4] === 'true', maxSockets: concurrency });
const counts = {};
let failed = 0, started = 0;
const one = () => new Promise((done) => {
  const req = http.get(url, { agent, timeout: 3000 }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => { counts[body] = (counts[body] ?? 0) + 1; done(); });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => { failed++; done(); });
});
const worker = async () => { while (started < total) { started++; await one(); } };
const t0 = performance.now();
Promise.all(Array.from({ length: concurrency }, worker)).then(() =>
  process.stdout.write(JSON.stringify({ counts, failed, ms: performance.now() - t0 })));
`;

export interface Burst {
  /** Answers per backend (`namespace/name`). */
  readonly counts: Record<string, number>;
  readonly failed: number;
  readonly ms: number;
}

/**
 * `requests` GETs of `url` from inside `netns`, `concurrency` at a time, each on its own
 * connection unless `keepAlive` (then `concurrency` connections carry them all).
 */
export async function httpBurst(
  netns: string,
  url: string,
  requests: number,
  concurrency = 8,
  keepAlive = false,
): Promise<Burst> {
  const out = await run(
    process.execPath,
    ['-e', BURST, url, String(requests), String(concurrency), String(keepAlive)],
    { netns, timeoutMs: 120_000 },
  );
  return JSON.parse(out) as Burst;
}

/** stdin: one line per request. stdout: one JSON line {body, port} per answer (port: local). */
const KEEPALIVE = `
const http = require('node:http');
const url = process.argv[1];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
require('node:readline').createInterface({ input: process.stdin }).on('line', () => {
  http.get(url, { agent }, (res) => {
    const port = res.socket.localPort;
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => process.stdout.write(JSON.stringify({ body, port }) + '\\n'));
  }).on('error', (e) => process.stdout.write(JSON.stringify({ error: e.message }) + '\\n'));
});
`;

export interface KeptAnswer {
  readonly body?: string;
  /** The client's local port: the same port means the same connection. */
  readonly port?: number;
  readonly error?: string;
}

/** One HTTP connection kept open from inside `netns`; stop() ends the process. */
export class KeptConnection {
  private readonly child: ChildProcess;
  private readonly answers: ((a: KeptAnswer) => void)[] = [];

  constructor(netns: string, url: string) {
    this.child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', KEEPALIVE, url], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) =>
      this.answers.shift()?.(JSON.parse(line) as KeptAnswer),
    );
    // A dead client answers every outstanding request with an error instead of hanging.
    this.child.once('exit', (code) => {
      for (const answer of this.answers.splice(0)) answer({ error: `client exited (${code})` });
    });
  }

  request(): Promise<KeptAnswer> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.resolve({ error: 'client exited' });
    }
    return new Promise((resolve) => {
      this.answers.push(resolve);
      this.child.stdin!.write('get\n');
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await gone;
  }
}
