// Load on the embedded API server (run as its own process, as in the local cluster): 50
// watchers on pods while 8 clients make 10,000 writes (5,000 creates, then an update of each).
// Figures: writes/s, watch delivery latency p50/p99 (from sending the write to the watcher
// reading its event), and per watcher the events lost and those out of order (must be 0).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { percentile, report } from './report.js';

const WATCHERS = 50;
const CLIENTS = 8;
const PODS = 5000;
const NS = 'bench';
const MAIN = fileURLToPath(new URL('../src/kube/apiserver/main.js', import.meta.url));

interface Conn {
  readonly url: string;
  readonly ca: string;
  readonly token: string;
  readonly agent: Agent;
}

function call(
  c: Conn,
  method: string,
  path: string,
  body: unknown,
  contentType = 'application/json',
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${c.url}${path}`,
      {
        method,
        agent: c.agent,
        ca: c.ca,
        headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': contentType },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode! < 300
            ? resolve()
            : reject(new Error(`${method} ${path}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** A watcher: checks order and counts, and records each write's delivery latency. */
class Watcher {
  received = 0;
  outOfOrder = 0;
  private lastRV = 0;
  private stream: ReturnType<typeof request> | undefined;

  constructor(
    private readonly sent: Map<string, number>,
    private readonly latencies: number[],
  ) {}

  open(c: Conn, fromRV: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream = request(
        `${c.url}/api/v1/namespaces/${NS}/pods?watch=1&resourceVersion=${fromRV}`,
        { ca: c.ca, headers: { Authorization: `Bearer ${c.token}` } },
        (res) => {
          const lines = createInterface(res);
          lines.on('line', (line) => this.onEvent(line));
          lines.on('error', () => undefined); // close() aborts the stream
          resolve();
        },
      );
      this.stream.on('error', reject);
      this.stream.end();
    });
  }

  private onEvent(line: string): void {
    const now = performance.now();
    const e = JSON.parse(line) as {
      object: {
        metadata: { name: string; resourceVersion: string; labels: Record<string, string> };
      };
    };
    const m = e.object.metadata;
    const rv = Number(m.resourceVersion);
    if (rv <= this.lastRV) this.outOfOrder++;
    this.lastRV = rv;
    this.received++;
    const t0 = this.sent.get(`${m.name}/${m.labels.seq}`);
    if (t0 !== undefined) this.latencies.push(now - t0);
  }

  close(): void {
    this.stream?.destroy();
  }
}

async function startServer(dir: string): Promise<{ child: ChildProcess; conn: Conn }> {
  const child = spawn(process.execPath, [MAIN, '--data-dir', join(dir, 'data'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface(child.stdout!).on(
      'line',
      (l) => l.startsWith('listening ') && resolve(l.slice(10)),
    );
    child.once('exit', (code) => reject(new Error(`apiserver exited with ${code}`)));
  });
  return {
    child,
    conn: {
      url,
      ca: readFileSync(join(dir, 'data', 'pki', 'ca.crt'), 'utf8'),
      token: readFileSync(join(dir, 'data', 'token'), 'utf8').trim(),
      agent: new Agent({ keepAlive: true, maxSockets: CLIENTS }),
    },
  };
}

export async function apiserverLoad(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'apiserver-bench-'));
  const { child, conn } = await startServer(dir);
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const watchers = Array.from({ length: WATCHERS }, () => new Watcher(sent, latencies));
  try {
    await call(conn, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
    await Promise.all(watchers.map((w) => w.open(conn, '')));
    const write = async (i: number, update: boolean): Promise<void> => {
      const name = `p-${i}`;
      const seq = update ? '2' : '1';
      sent.set(`${name}/${seq}`, performance.now());
      if (update) {
        await call(
          conn,
          'PATCH',
          `/api/v1/namespaces/${NS}/pods/${name}`,
          { metadata: { labels: { seq } } },
          'application/merge-patch+json',
        );
      } else {
        await call(conn, 'POST', `/api/v1/namespaces/${NS}/pods`, {
          metadata: { name, labels: { app: 'bench', seq } },
          spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] },
        });
      }
    };
    const started = performance.now();
    for (const update of [false, true]) {
      let next = 0;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < PODS) await write(next++, update);
        }),
      );
    }
    const seconds = (performance.now() - started) / 1000;
    const deadline = Date.now() + 30_000;
    while (watchers.some((w) => w.received < 2 * PODS) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    report('apiserver-load', 'writes_per_s', (2 * PODS) / seconds);
    report('apiserver-load', 'watch_latency_p50_ms', percentile(latencies, 50));
    report('apiserver-load', 'watch_latency_p99_ms', percentile(latencies, 99));
    report(
      'apiserver-load',
      'events_lost',
      watchers.reduce((n, w) => n + (2 * PODS - w.received), 0),
    );
    report(
      'apiserver-load',
      'events_out_of_order',
      watchers.reduce((n, w) => n + w.outOfOrder, 0),
    );
  } finally {
    for (const w of watchers) w.close();
    conn.agent.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
