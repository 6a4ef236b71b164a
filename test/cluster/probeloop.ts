// Continuous probes from a pod to another pod (prober.ts inside the source pod's netns), with
// the verdict of every attempt and when it started: what a fault test checks over its whole
// window, and what the realization benchmark times.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Protocol } from '../../src/apis/index.js';

const PROBER = fileURLToPath(new URL('./prober.js', import.meta.url));

export interface Attempt {
  /** When the attempt started (epoch ms). */
  readonly t: number;
  readonly ok: boolean;
}

/**
 * How long an attempt may take by default. An attempt started up to this long before a change
 * may still see the change's verdict (a retransmitted SYN), so a window meant to end before a
 * change ends this much earlier.
 */
export const PROBE_TIMEOUT_MS = 1000;

export interface ProbeOptions {
  readonly intervalMs?: number;
  /** A blocked attempt (dropped packets) counts as unreachable after this long. */
  readonly timeoutMs?: number;
}

export class ProbeLoop {
  /** By sequence number; a hole is an attempt still running. */
  private readonly bySeq: (Attempt | undefined)[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(
    readonly description: string,
    netns: string,
    ip: string,
    port: number,
    protocol: Protocol,
    opts: ProbeOptions = {},
  ) {
    const argv = [
      process.execPath,
      '--max-old-space-size=32',
      PROBER,
      ip,
      String(port),
      protocol,
      String(opts.intervalMs ?? 50),
      String(opts.timeoutMs ?? PROBE_TIMEOUT_MS),
    ];
    // stdin stays open: the prober exits when it closes (stop(), or this process dying).
    this.child = spawn('ip', ['netns', 'exec', netns, ...argv], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()));
    let buf = '';
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        const [seq, t, ok] = line.split(' ').map(Number);
        this.bySeq[seq!] = { t: t!, ok: ok === 1 };
      }
    });
  }

  /** The finished attempts in start order, up to the first one still running. */
  settled(): Attempt[] {
    const out: Attempt[] = [];
    for (const a of this.bySeq) {
      if (a === undefined) break;
      out.push(a);
    }
    return out;
  }

  /** Settled attempts that started in [from, to). */
  window(from: number, to = Infinity): Attempt[] {
    return this.settled().filter((a) => a.t >= from && a.t < to);
  }

  /** Waits until every attempt started before `t` has finished. */
  async settledUntil(t: number): Promise<void> {
    while ((this.settled().at(-1)?.t ?? -Infinity) < t) {
      if (this.child.exitCode !== null) throw new Error(`${this.description}: prober exited`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Waits until the attempts started at or after `since` end with `stable` in a row that all
   * say `ok`, and returns the start of the first of them: the moment the probe saw that verdict
   * for good.
   */
  async until(ok: boolean, since: number, timeoutMs: number, stable = 5): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const attempts = this.window(since);
      let first = attempts.length;
      while (first > 0 && attempts[first - 1]!.ok === ok) first--;
      if (attempts.length - first >= stable) return attempts[first]!.t;
      if (Date.now() > deadline) {
        const seen = attempts.map((a) => (a.ok ? '1' : '0')).join('');
        throw new Error(
          `${this.description}: no stable ${ok ? 'reachable' : 'blocked'} verdict within ${timeoutMs} ms (attempts since: ${seen})`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    this.child.stdin?.end();
    await this.exited;
  }
}

/**
 * Fails unless every attempt started in [from, to) has the verdict `ok` (and there were some);
 * first waits for the ones still running. Resolves with their number.
 */
export async function expectSteady(
  loop: ProbeLoop,
  ok: boolean,
  from: number,
  to: number,
): Promise<number> {
  await loop.settledUntil(to);
  const attempts = loop.window(from, to);
  const wrong = attempts.filter((a) => a.ok !== ok);
  if (attempts.length === 0) throw new Error(`${loop.description}: no attempt in the window`);
  if (wrong.length > 0)
    throw new Error(
      `${loop.description}: ${wrong.length} of ${attempts.length} attempts ${ok ? 'failed' : 'got through'} ` +
        `(first at +${wrong[0]!.t - from} ms of a ${to - from} ms window)`,
    );
  return attempts.length;
}
