// One running `ovs-ofctl … -` that reads its bundle from stdin while we are still producing it.
// Unlike run() (util/exec.ts), which hands a finished input to a fresh process, this process is
// started ahead (starting ovs-ofctl costs 30-70 ms here, most of a small update) and written in
// chunks, so ovs-ofctl parses while we format. With --no-names, ovs-ofctl reads all of stdin
// before it contacts the switch: killing it before stdin closes applies nothing, and an empty
// input applies nothing either (so an idle process left at exit is harmless).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeSync } from 'node:fs';
import { holdChild } from '../util/childhold.js';
import { ExecError } from '../util/exec.js';

/** Node's pipe handle behind a child's stdin: not public API, but stable since Node 0.x. */
interface PipeHandle {
  readonly fd?: number;
  setBlocking?(blocking: boolean): number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export class OfctlProcess {
  private readonly child: ChildProcess;
  private readonly stdinFd: number;
  private readonly stderr: Buffer[] = [];
  private readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Set once a write failed (ovs-ofctl exited early); its exit status tells why. */
  private broken = false;

  constructor(
    private readonly args: readonly string[],
    private readonly opts: { netns?: string; env?: Record<string, string> } = {},
  ) {
    const argv =
      opts.netns === undefined
        ? ['ovs-ofctl', ...args]
        : ['ip', 'netns', 'exec', opts.netns, 'ovs-ofctl', ...args];
    this.child = spawn(argv[0], argv.slice(1), {
      env: opts.env === undefined ? process.env : { ...process.env, ...opts.env },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    this.closed = new Promise((resolve) => {
      this.child.on('close', (code, signal) => resolve({ code, signal }));
      this.child.on('error', (e) => {
        this.stderr.push(Buffer.from(e.message));
        resolve({ code: null, signal: null });
      });
    });
    this.child.stderr?.on('data', (b: Buffer) => this.stderr.push(b));
    this.child.stdin?.on('error', () => undefined); // EPIPE: the exit status is what matters
    // Blocking writes: each chunk reaches ovs-ofctl as soon as it is formatted (it parses while
    // we format the next), waiting only while ovs-ofctl is behind; a stream's write() would
    // queue the whole bundle in memory until the caller yields.
    const handle = (this.child.stdin as unknown as { _handle?: PipeHandle } | null)?._handle;
    if (handle?.fd === undefined || handle.fd < 0 || handle.setBlocking === undefined) {
      this.child.kill('SIGKILL');
      throw new Error('ovs-ofctl stdin: no pipe file descriptor to write to');
    }
    handle.setBlocking(true);
    this.stdinFd = handle.fd;
  }

  /** Whether it is still running (a waiting process that died cannot take a bundle). */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Lets Node exit while this process waits for work (`false`), or keeps Node up for it. */
  hold(keepNodeAlive: boolean): void {
    holdChild(this.child, keepNodeAlive);
  }

  /** Writes `text` to ovs-ofctl's stdin, waiting while the pipe is full. */
  write(text: string): void {
    if (this.broken) return;
    const bytes = Buffer.from(text);
    try {
      for (let at = 0; at < bytes.length;) at += writeSync(this.stdinFd, bytes, at);
    } catch {
      this.broken = true;
    }
  }

  /** Closes stdin and waits for ovs-ofctl; rejects with ExecError unless it exits 0. */
  async finish(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    this.hold(true);
    this.child.stdin?.destroy();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    const { code, signal } = await this.closed;
    clearTimeout(timer);
    const stderr = Buffer.concat(this.stderr).toString();
    if (code === 0 && !timedOut) return;
    const why = timedOut
      ? `timed out after ${timeoutMs} ms`
      : code === null
        ? `killed by ${signal}`
        : `exited with code ${code}`;
    const exit = timedOut ? null : code;
    throw new ExecError('ovs-ofctl', [...this.args], exit, stderr, why, this.opts.netns);
  }

  /** Kills ovs-ofctl before it saw the end of its input, so none of it is applied. */
  async cancel(): Promise<void> {
    this.hold(true);
    this.child.kill('SIGKILL');
    await this.closed;
    this.child.stdin?.destroy();
  }
}
