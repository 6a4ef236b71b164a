// Container processes: host processes inside the pod's netns that outlive the kubelet, so a
// restarted kubelet finds them still running. Each instance is
//
//   ip netns exec NS /bin/sh -c WRAPPER sh EXITFILE CMD ARGS…
//
// started detached (its own session and process group, stdout+stderr appended to the log file,
// stdin /dev/null). The wrapper shell runs the command and writes its exit status to EXITFILE:
// a kubelet that re-adopted the instance is not its parent and could not learn the code
// otherwise. Signals go to the whole process group (wrapper and command), by its id.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

const WRAPPER = 'f=$1; shift; "$@"; c=$?; echo $c >"$f"; exit $c';

export interface SpawnSpec {
  /** Absent: the kubelet's own namespace. */
  readonly netns: string | undefined;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly logPath: string;
  readonly exitPath: string;
}

export interface RunningProcess {
  readonly pid: number;
  readonly pidStart: string;
  /** The exit code (128+N when killed by signal N); 137 with `unknown` when it cannot be known. */
  readonly exited: Promise<{ code: number; unknown: boolean }>;
}

/** Fields 3… of /proc/PID/stat (state, ppid, pgrp, …), or undefined when the process is gone. */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Field 22 (starttime) of /proc/PID/stat, or undefined when the process is gone. */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/**
 * The process groups with a member that is not a zombie. A group's members outlive its leader
 * as zombies until init reaps them (seconds, on some machines): they are gone for our purposes.
 */
function liveGroups(): Set<number> {
  const groups = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(entry);
    if (f && f[0] !== 'Z') groups.add(Number(f[2]));
  }
  return groups;
}

/** A shell's exit code for a process killed by `signal`. */
export function signalExitCode(signal: NodeJS.Signals | null): number {
  const n = signal === null ? undefined : constants.signals[signal];
  return 128 + (n ?? 9);
}

export function nsArgv(netns: string | undefined, argv: readonly string[]): string[] {
  return netns === undefined ? [...argv] : ['ip', 'netns', 'exec', netns, ...argv];
}

/** Starts an instance; resolves once it runs (rejects when it could not be started). */
export function spawnContainer(spec: SpawnSpec): Promise<RunningProcess> {
  rmSync(spec.exitPath, { force: true });
  const argv = nsArgv(spec.netns, ['/bin/sh', '-c', WRAPPER, 'sh', spec.exitPath, ...spec.argv]);
  const log = openSync(spec.logPath, 'a');
  try {
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      stdio: ['ignore', log, log],
      env: spec.env,
    });
    child.unref();
    const exited = new Promise<{ code: number; unknown: boolean }>((resolve) =>
      child.once('exit', (code, signal) =>
        resolve({ code: code ?? signalExitCode(signal), unknown: false }),
      ),
    );
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => {
        const pid = child.pid!;
        resolve({ pid, pidStart: processStartTime(pid) ?? '', exited });
      });
    });
  } finally {
    closeSync(log);
  }
}

/** Whether any process of the group led by `pid` is still there. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readExitCode(exitPath: string): number | undefined {
  try {
    const n = Number(readFileSync(exitPath, 'utf8').trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

const ADOPT_POLL_MS = 1000;

/**
 * Takes over an instance started by an earlier kubelet. Its exit is found by polling (it is not
 * our child), its code in the exit file; one already gone (or whose pid now belongs to another
 * process) resolves at once.
 */
export function adoptContainer(
  pid: number,
  pidStart: string,
  exitPath: string,
  signal: AbortSignal,
): RunningProcess {
  // A zombie (an orphan init has not reaped yet) has ended.
  const alive = (): boolean => {
    const f = statFields(pid);
    return f !== undefined && f[0] !== 'Z' && f[19] === pidStart;
  };
  const exitStatus = (): { code: number; unknown: boolean } => {
    const code = readExitCode(exitPath);
    return code === undefined ? { code: 137, unknown: true } : { code, unknown: false };
  };
  const exited = new Promise<{ code: number; unknown: boolean }>((resolve) => {
    if (!alive()) return resolve(exitStatus());
    const timer = setInterval(() => {
      if (alive()) return;
      clearInterval(timer);
      resolve(exitStatus());
    }, ADOPT_POLL_MS);
    // The kubelet stopping (not the pod) only ends the watch; the process lives on.
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  });
  return { pid, pidStart, exited };
}

/**
 * What a container runtime does when a container's first process ends (the PID namespace's init
 * dying): whatever else of the instance runs is killed, so that no orphan of it (e.g. the
 * command, when the wrapper shell was killed) keeps its sockets from the next instance. The
 * group is still the instance's: Linux hands out no pid that is in use as a process group id.
 */
export function killRemains(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // nothing left
  }
}

/**
 * Stops the process group of each instance: SIGTERM, then SIGKILL for what is left after
 * `graceMs`; resolves once every group is gone. A pid that now belongs to another process is
 * left alone.
 */
export async function stopGroups(
  instances: readonly { pid: number; pidStart: string }[],
  graceMs: number,
): Promise<void> {
  // A leader that is gone while its group lives on is still ours: Linux hands out no pid that is
  // in use as a process group id.
  const ours = instances.filter((i) => {
    const start = processStartTime(i.pid);
    return start === i.pidStart || (start === undefined && groupAlive(i.pid));
  });
  const signal = (sig: NodeJS.Signals): void => {
    for (const i of ours) {
      try {
        process.kill(-i.pid, sig);
      } catch {
        // already gone
      }
    }
  };
  const left = (): boolean => {
    const live = liveGroups();
    return ours.some((i) => live.has(i.pid));
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (left() && Date.now() < deadline) await sleep(100);
  if (!left()) return;
  signal('SIGKILL');
  while (left()) await sleep(50);
}
