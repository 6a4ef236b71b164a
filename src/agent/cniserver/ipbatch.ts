// One long-lived `ip -force -batch -` in the node's namespace, for the veth commands that run
// there (create, delete): an `ip` process start is most of their cost here (its libraries load
// in ≈ 30 ms on a busy node; the netlink request itself takes ≈ 1 ms). `ip -batch` prints nothing
// when a command succeeds, so each command is followed by a marker command that fails on purpose
// — showing a device that cannot exist — and its error message, which names the marker, ends the
// command's output on stderr. Commands are pipelined: answers come back in order.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { holdChild } from '../../util/childhold.js';
import { ExecError } from '../../util/exec.js';

interface Pending {
  readonly args: readonly string[];
  readonly marker: string;
  readonly timer: NodeJS.Timeout;
  resolve(): void;
  reject(e: Error): void;
}

/** A command not answered in this long means a stuck ip: it is killed, and its commands fail. */
const TIMEOUT_MS = 60_000;

/** How `ip -batch` reports a failed line: the command's own messages come before it. */
const FAILED_LINE = /^Command failed -:\d+$/;

export class IpBatch {
  private child: ChildProcess | undefined;
  private readonly pending: Pending[] = [];
  private stderr = '';
  private markers = 0;
  private timedOut = false;

  /** `nodeNetns`: the node's namespace by name (absent: the agent's own namespace). */
  constructor(private readonly nodeNetns?: string) {}

  /** Runs `ip ARGS…`; rejects with ExecError (ip's messages as stderr) if it fails. */
  run(args: readonly string[]): Promise<void> {
    // One batch line is one command: a word with white space in it would split or end it.
    if (args.some((a) => a === '' || /\s/.test(a)))
      return Promise.reject(new Error(`ip ${args.join(' ')}: empty or blank argument`));
    const child = this.process();
    // Device names are at most 15 characters; an underscore starts none of the agent's.
    const marker = `_ipdone${(this.markers++ % 1e6).toString(36)}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timedOut = true;
        child.kill('SIGKILL');
      }, TIMEOUT_MS);
      this.pending.push({ args, marker, timer, resolve, reject });
      child.stdin?.write(`${args.join(' ')}\nlink show dev ${marker}\n`);
      this.hold(true);
    });
  }

  /** Stops the process (by its pid); a later run() starts another. */
  close(): void {
    const child = this.child;
    if (child === undefined) return;
    this.failAll('ip -batch closed');
    child.kill('SIGKILL');
  }

  private process(): ChildProcess {
    if (this.child !== undefined) return this.child;
    // nsenter, not `ip -n`: that would give ip a mount namespace of its own, where the
    // /var/run/netns mounts of pods created later might not show.
    const ns =
      this.nodeNetns === undefined ? [] : ['nsenter', `--net=/var/run/netns/${this.nodeNetns}`];
    const argv = [...ns, 'ip', '-force', '-batch', '-'];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child = child;
    this.stderr = '';
    this.timedOut = false;
    child.stdin?.on('error', () => undefined); // ip died: 'close' reports it
    (child.stderr as Readable).setEncoding('utf8').on('data', (s: string) => {
      if (this.child === child) this.read(s);
    });
    const died = (why: string): void => {
      if (this.child === child)
        this.failAll(this.timedOut ? `timed out after ${TIMEOUT_MS} ms` : why);
    };
    child.on('error', (e) => died(`could not start: ${e.message}`));
    child.on('close', (code, signal) => died(`ip -batch exited (${code ?? signal})`));
    return child;
  }

  /** Forgets the process: its pending commands fail with `why`. */
  private failAll(why: string): void {
    this.hold(false);
    this.child = undefined;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(new ExecError('ip', [...p.args], null, this.stderr, why));
    }
  }

  /** Ends, in order, the commands whose marker has been reported. */
  private read(chunk: string): void {
    this.stderr += chunk;
    for (let p = this.pending[0]; p !== undefined; p = this.pending[0]) {
      const end = `Device "${p.marker}" does not exist.\n`;
      const at = this.stderr.indexOf(end);
      if (at < 0) return;
      const after = this.stderr.indexOf('\n', at + end.length); // the marker's "Command failed"
      if (after < 0) return;
      const lines = this.stderr.slice(0, at).split('\n');
      this.stderr = this.stderr.slice(after + 1);
      this.pending.shift();
      clearTimeout(p.timer);
      if (this.pending.length === 0) this.hold(false);
      if (!lines.some((l) => FAILED_LINE.test(l))) {
        p.resolve();
        continue;
      }
      const messages = lines.filter((l) => l !== '' && !FAILED_LINE.test(l)).join('\n');
      p.reject(new ExecError('ip', [...p.args], 1, messages, 'failed'));
    }
  }

  /** Lets Node exit while no command is pending (`false`), or keeps Node up for one. */
  private hold(keepNodeAlive: boolean): void {
    holdChild(this.child, keepNodeAlive);
  }
}
