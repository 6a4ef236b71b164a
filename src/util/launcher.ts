// Starts processes that read their input from Node without Node forking for each one. A spawn
// from Node forks all of Node and waits for the exec: it blocks the event loop 7-13 ms here, and
// the agent starts an ovs-ofctl for every flow bundle, so for every CNI ADD. A waiting `bash`, a
// small process that forks cheaply, starts them instead. It is started with SLOTS pairs of extra
// sockets; each process it starts gets one pair as its stdin and stderr, which Node writes and
// reads like a child's. Once its slots are taken, the shell is retired and the next one started:
// one Node spawn per SLOTS processes.
//
// If Node dies, its socket ends close: a process still reading its stdin sees the end of it,
// and the shell (its stdin ended) exits. A shell that died otherwise is replaced at the next
// launch.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { holdChild, setRef } from './childhold.js';
import { shellWord } from './exec.js';

/** Processes per shell (bash takes file descriptors above 9, which dash does not). */
const SLOTS = 16;
/** The first extra descriptor: slot i has stdin FIRST_FD + 2i and stderr FIRST_FD + 2i + 1. */
const FIRST_FD = 3;

export interface LaunchedExit {
  /** The exit status as the shell reports it (128 + n when killed by signal n). */
  readonly code: number;
  readonly stderr: string;
}

/** One process started by a LauncherShell. */
export class LaunchedProcess {
  /** Written to, this is the process's stdin; destroying it is the end of that input. */
  readonly stdin: Socket;
  readonly exited: Promise<LaunchedExit>;
  private pid: number | undefined;
  private killed = false;
  private done = false;
  private status: number | undefined;
  private stderrEnded = false;
  private readonly stderrChunks: Buffer[] = [];
  private settle!: (exit: LaunchedExit) => void;

  constructor(
    private readonly shell: LauncherShell,
    stdin: Socket,
    private readonly stderr: Socket,
  ) {
    this.stdin = stdin;
    this.stdin.on('error', () => undefined); // the process is gone: its exit status tells why
    this.exited = new Promise((resolve) => (this.settle = resolve));
    stderr.on('data', (b: Buffer) => this.stderrChunks.push(b));
    stderr.on('error', () => undefined);
    stderr.on('close', () => {
      this.stderrEnded = true;
      this.maybeSettle();
    });
  }

  get alive(): boolean {
    return !this.done;
  }

  /** SIGKILL, now or as soon as its pid is known. */
  kill(): void {
    this.killed = true;
    if (this.pid !== undefined && !this.done) signal(this.pid);
  }

  /** Lets Node exit while it waits for input (`false`), or keeps Node up for it (the default). */
  hold(keepNodeAlive: boolean): void {
    const keep = keepNodeAlive && !this.done; // an ended process has nothing to wait for
    for (const h of [this.stdin, this.stderr]) setRef(h, keep);
    this.shell.hold(this, keep);
  }

  /** The shell reported its pid. */
  started(pid: number): void {
    this.pid = pid;
    if (this.killed) signal(pid);
  }

  /**
   * The shell reported its exit status, or (null) the shell and everything it started are gone:
   * then a status reported before stands (the shell's end can come before this process's
   * stderr end is seen), and without one the process never ran.
   */
  ended(status: number | null): void {
    if (status !== null) this.status = status;
    else {
      this.status ??= 255;
      this.stderrEnded = true;
    }
    this.maybeSettle();
  }

  private maybeSettle(): void {
    if (this.done || this.status === undefined || !this.stderrEnded) return;
    this.done = true;
    this.settle({ code: this.status, stderr: Buffer.concat(this.stderrChunks).toString() });
    this.shell.hold(this, false);
  }
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/** One waiting bash and its slots. */
class LauncherShell {
  private readonly child: ChildProcess;
  private readonly processes: LaunchedProcess[] = [];
  private readonly held = new Set<LaunchedProcess>();
  private output = '';
  /** The shell process has exited: it starts nothing more. */
  private exited = false;

  constructor(argv: readonly string[], env: NodeJS.ProcessEnv, onClose: () => void) {
    const stdio = Array.from({ length: FIRST_FD + 2 * SLOTS }, () => 'pipe' as const);
    this.child = spawn(argv[0], argv.slice(1), { env, stdio });
    this.child.stdin?.on('error', () => undefined);
    this.child.stdout?.setEncoding('utf8').on('data', (s: string) => this.read(s));
    this.child.stderr?.resume(); // the shell's own complaints; the processes' go to their slots
    this.child.on('exit', () => (this.exited = true));
    this.child.on('close', () => {
      for (const p of this.processes) p.ended(null);
      onClose();
    });
    this.hold(undefined, false);
  }

  /** Whether it can start another process (a slot is free and the shell is still there). */
  get usable(): boolean {
    return !this.exited && this.processes.length < SLOTS;
  }

  launch(argv: readonly string[]): LaunchedProcess {
    const slot = this.processes.length;
    const [inFd, errFd] = [FIRST_FD + 2 * slot, FIRST_FD + 2 * slot + 1];
    const p = new LaunchedProcess(
      this,
      this.child.stdio[inFd] as Socket,
      this.child.stdio[errFd] as Socket,
    );
    this.processes.push(p);
    // The process gets only its own pair: a later slot's stderr held open by it would hold off
    // that slot's end of output. The shell then closes the pair, so only the process has it.
    const others: string[] = [];
    for (let fd = FIRST_FD + 2 * (slot + 1); fd < FIRST_FD + 2 * SLOTS; fd++)
      others.push(`${fd}>&-`);
    const cmd = argv.map(shellWord).join(' ');
    this.child.stdin?.write(
      `{ exec ${others.join(' ')}; ${cmd} <&${inFd} 2>&${errFd} >/dev/null & ` +
        `echo "pid ${slot} $!"; exec ${inFd}<&- ${errFd}>&-; wait $!; echo "exit ${slot} $?"; } &\n` +
        `exec ${inFd}<&- ${errFd}>&-\n`,
    );
    // The last slot taken: the shell ends once it has read this (what it started goes on).
    if (this.processes.length === SLOTS) this.child.stdin?.end();
    p.hold(true); // like a spawned child, until told otherwise
    return p;
  }

  /** Keeps Node up while any of its processes is held (or, with `p` undefined, releases it). */
  hold(p: LaunchedProcess | undefined, keepNodeAlive: boolean): void {
    if (p !== undefined) {
      if (keepNodeAlive) this.held.add(p);
      else this.held.delete(p);
    }
    holdChild(this.child, this.held.size > 0);
    // Slots not handed out yet must not keep Node up either.
    for (let fd = FIRST_FD + 2 * this.processes.length; fd < FIRST_FD + 2 * SLOTS; fd++)
      setRef(this.child.stdio[fd] as Socket | null, false);
  }

  /** Stops the shell and every process it started (by pid). */
  close(): void {
    for (const p of this.processes) p.kill();
    this.child.kill('SIGKILL');
  }

  private read(chunk: string): void {
    this.output += chunk;
    for (let nl = this.output.indexOf('\n'); nl >= 0; nl = this.output.indexOf('\n')) {
      const [what, slot, value] = this.output.slice(0, nl).split(' ');
      this.output = this.output.slice(nl + 1);
      const p = this.processes[Number(slot)];
      if (p === undefined) continue;
      if (what === 'pid') p.started(Number(value));
      else if (what === 'exit') p.ended(Number(value));
    }
  }
}

/** Starts processes from waiting shells (see the file comment). */
export class ProcessLauncher {
  private shell: LauncherShell | undefined;
  private readonly retired = new Set<LauncherShell>();
  private readonly argv: readonly string[];
  private readonly env: NodeJS.ProcessEnv;

  /**
   * `netns`: the shells (and so the processes) run in this network namespace, as
   * `ip netns exec` runs them; `env` is added to this process's environment.
   */
  constructor(opts: { netns?: string; env?: Record<string, string> } = {}) {
    const bash = ['bash', '--noprofile', '--norc', '-s'];
    this.argv = opts.netns === undefined ? bash : ['ip', 'netns', 'exec', opts.netns, ...bash];
    this.env = { ...process.env, ...opts.env };
  }

  /** Starts `argv`. */
  launch(argv: readonly string[]): LaunchedProcess {
    if (this.shell?.usable !== true) {
      if (this.shell !== undefined) this.retired.add(this.shell);
      const shell: LauncherShell = new LauncherShell(this.argv, this.env, () =>
        this.retired.delete(shell),
      );
      this.shell = shell;
    }
    return this.shell.launch(argv);
  }

  /** Stops the shells and every process they started. */
  close(): void {
    for (const s of [...this.retired, this.shell]) s?.close();
    this.retired.clear();
    this.shell = undefined;
  }
}
