// One running `ovs-ofctl … -` that reads its bundle from stdin while we are still producing it.
// Unlike run() (util/exec.ts), which hands a finished input to a fresh process, this process is
// started ahead (starting ovs-ofctl costs 30-70 ms here, most of a small update) and written in
// chunks, so ovs-ofctl parses while we format. It is started by a ProcessLauncher's waiting
// shell, not spawned by Node (see util/launcher.ts). With --no-names, ovs-ofctl reads all of
// stdin before it contacts the switch: killing it before stdin closes applies nothing, and an
// empty input applies nothing either (so an idle process left at exit is harmless).
import { writeSync } from 'node:fs';
import { ExecError } from '../util/exec.js';
import type { LaunchedProcess, ProcessLauncher } from '../util/launcher.js';

/** Node's pipe handle behind a child's stdin: not public API, but stable since Node 0.x. */
interface PipeHandle {
  readonly fd?: number;
  setBlocking?(blocking: boolean): number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export class OfctlProcess {
  private readonly proc: LaunchedProcess;
  private readonly stdinFd: number;
  /** Set once a write failed (ovs-ofctl exited early); its exit status tells why. */
  private broken = false;

  constructor(
    private readonly args: readonly string[],
    launcher: ProcessLauncher,
    private readonly netns?: string,
  ) {
    this.proc = launcher.launch(['ovs-ofctl', ...args]);
    // Blocking writes: each chunk reaches ovs-ofctl as soon as it is formatted (it parses while
    // we format the next), waiting only while ovs-ofctl is behind; a stream's write() would
    // queue the whole bundle in memory until the caller yields.
    const handle = (this.proc.stdin as unknown as { _handle?: PipeHandle })._handle;
    if (handle?.fd === undefined || handle.fd < 0 || handle.setBlocking === undefined) {
      this.proc.kill();
      throw new Error('ovs-ofctl stdin: no socket file descriptor to write to');
    }
    handle.setBlocking(true);
    this.stdinFd = handle.fd;
  }

  /** Whether it is still running (a waiting process that died cannot take a bundle). */
  get alive(): boolean {
    return this.proc.alive;
  }

  /** Lets Node exit while this process waits for work (`false`), or keeps Node up for it. */
  hold(keepNodeAlive: boolean): void {
    this.proc.hold(keepNodeAlive);
  }

  /** Writes `text` to ovs-ofctl's stdin, waiting while the socket is full. */
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
    this.proc.stdin.destroy();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.proc.kill();
    }, timeoutMs);
    const { code, stderr } = await this.proc.exited;
    clearTimeout(timer);
    if (code === 0 && !timedOut) return;
    // The shell reports a process killed by signal n as 128 + n.
    const why = timedOut
      ? `timed out after ${timeoutMs} ms`
      : code > 128
        ? `killed by signal ${code - 128}`
        : `exited with code ${code}`;
    const exit = timedOut || code > 128 ? null : code;
    throw new ExecError('ovs-ofctl', [...this.args], exit, stderr, why, this.netns);
  }

  /** Kills ovs-ofctl before it saw the end of its input, so none of it is applied. */
  async cancel(): Promise<void> {
    this.hold(true);
    this.proc.kill();
    await this.proc.exited;
    this.proc.stdin.destroy();
  }
}
