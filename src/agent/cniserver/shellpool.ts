// A few long-lived `sh` processes that run the scripts they are sent, one at a time each. A
// pod's veth setup is a handful of ip/ethtool commands: spawned by the agent as a fresh
// `nsenter … sh -c …`, each ADD cost a blocking spawn (10-50 ms of the agent's event loop here)
// plus the nsenter and sh starts; forked by a waiting shell, only the commands themselves are
// left. A script's stdout is dropped; its stderr comes back, then a marker line with its exit
// status. Workers start on demand, up to `size`, so concurrent ADDs still run side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { holdChild } from '../../util/childhold.js';
import { ExecError } from '../../util/exec.js';

const DEFAULT_TIMEOUT_MS = 60_000;

interface Job {
  /** Names the script in errors. */
  readonly what: string;
  readonly script: string;
  readonly timeoutMs: number;
  resolve(): void;
  reject(e: Error): void;
}

/** One `sh -s` reading scripts from its stdin. */
class ShellWorker {
  private readonly child: ChildProcess;
  private readonly stdin: Writable;
  /** Ends every script's output; random, so no command's output can fake it. */
  private readonly marker = `__done_${randomBytes(8).toString('hex')}`;
  private output = '';
  private readonly ownStderr: string[] = [];
  private job: Job | undefined;
  private timer: NodeJS.Timeout | undefined;
  private exited = false;

  constructor(
    argv: readonly string[],
    private readonly onIdle: (w: ShellWorker) => void,
  ) {
    this.child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    // All three are pipes (stdio above); the typings cannot tell from a computed stdio array.
    this.stdin = this.child.stdin as Writable;
    this.stdin.on('error', () => undefined); // the shell died: 'close' reports it
    (this.child.stdout as Readable).setEncoding('utf8').on('data', (s: string) => this.read(s));
    (this.child.stderr as Readable).setEncoding('utf8').on('data', (s: string) => {
      this.ownStderr.push(s);
    });
    this.child.on('error', (e) => this.died(e.message));
    this.child.on('close', (code, signal) => this.died(`shell exited (${code ?? signal})`));
    this.hold(false);
  }

  get alive(): boolean {
    return !this.exited;
  }

  run(job: Job): void {
    this.job = job;
    this.output = '';
    this.hold(true);
    this.timer = setTimeout(() => {
      this.exited = true; // not to be handed another script
      this.child.kill('SIGKILL');
      const why = `timed out after ${job.timeoutMs} ms`;
      this.finish(new ExecError('sh', [job.what], null, this.output, why));
    }, job.timeoutMs);
    // A subshell, so that `set -e` and a failure end the script, not the worker; its stdin is
    // not the worker's, or a command reading stdin would swallow the next scripts. Commands it
    // left in the background are waited for, so that nothing writes after the marker.
    this.stdin.write(
      `(\nset -e\ntrap wait EXIT\n${job.script}\n) </dev/null 2>&1 >/dev/null; printf '\\n%s %d\\n' ${this.marker} $?\n`,
    );
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  private read(chunk: string): void {
    this.output += chunk;
    const at = this.output.indexOf(`\n${this.marker} `);
    const end = at < 0 ? -1 : this.output.indexOf('\n', at + 1);
    if (end < 0 || this.job === undefined) return;
    const status = Number(this.output.slice(at + this.marker.length + 2, end));
    const stderr = this.output.slice(0, at);
    this.output = this.output.slice(end + 1);
    this.finish(
      status === 0
        ? undefined
        : new ExecError('sh', [this.job.what], status, stderr, `exited with code ${status}`),
    );
  }

  private finish(e: Error | undefined): void {
    const job = this.job;
    if (job === undefined) return;
    this.job = undefined;
    clearTimeout(this.timer);
    if (e === undefined) job.resolve();
    else job.reject(e);
    if (this.alive) {
      this.hold(false);
      this.onIdle(this);
    }
  }

  private died(why: string): void {
    if (this.exited) return;
    this.exited = true;
    const detail = this.ownStderr.join('').trim();
    const stderr = [this.output, detail].filter((s) => s !== '').join('\n');
    if (this.job !== undefined)
      this.finish(new ExecError('sh', [this.job.what], null, stderr, why));
  }

  /** Lets Node exit while this worker waits for work (`false`), or keeps Node up for it. */
  private hold(keepNodeAlive: boolean): void {
    holdChild(this.child, keepNodeAlive);
  }
}

export class ShellPool {
  private readonly idle: ShellWorker[] = [];
  private readonly all = new Set<ShellWorker>();
  private readonly queue: Job[] = [];

  /** `argv`: the worker command, e.g. `['sh', '-s']` or `['nsenter', '--net=…', 'sh', '-s']`. */
  constructor(
    private readonly argv: readonly string[],
    private readonly size: number,
  ) {}

  /**
   * Runs `script` (shell text, run with `set -e`) in a worker; rejects with ExecError (its
   * stderr, its exit status) unless it succeeds. `what` names it in errors.
   */
  run(what: string, script: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ what, script, timeoutMs, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker (by its pid); a later run() starts new ones. */
  close(): void {
    for (const w of this.all) w.kill();
    this.all.clear();
    this.idle.length = 0;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (worker !== undefined && !worker.alive) {
        this.all.delete(worker);
        continue;
      }
      if (worker === undefined) {
        for (const w of this.all) if (!w.alive) this.all.delete(w);
        if (this.all.size >= this.size) return; // every worker is busy: the job waits
        worker = new ShellWorker(this.argv, (w) => {
          this.idle.push(w);
          this.dispatch();
        });
        this.all.add(worker);
      }
      worker.run(this.queue.shift() as Job);
    }
  }
}
