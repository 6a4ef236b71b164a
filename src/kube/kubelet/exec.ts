// `kubectl exec` on the node: the command runs from the host inside the pod's netns (the node's
// for hostNetwork pods) with the container's environment, in its own process group so that a
// kill reaches whatever it started. A TTY is approximated with util-linux `script`, which runs
// the command on a pseudo-terminal and relays it over pipes (stdout and stderr merged, as on a
// TTY); the terminal keeps script's default size, since a pipe cannot carry a resize.
import { spawn, type ChildProcess } from 'node:child_process';
import { nsArgv } from './process.js';
import { resolveCommand } from './env.js';
import { shellWord } from '../../util/exec.js';

export interface ExecTarget {
  readonly netns: string | undefined;
  readonly env: Readonly<Record<string, string>>;
}

export interface ExecRequest {
  readonly command: readonly string[];
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

/** A request the kubelet refuses, with the HTTP status that says why. */
export class RuntimeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

export function spawnExec(target: ExecTarget, req: ExecRequest): ChildProcess {
  const cmd = req.command[0] ?? '';
  if (resolveCommand(cmd, target.env['PATH'] ?? '') === undefined) {
    throw new RuntimeError(
      500,
      `failed to exec in container: exec: "${cmd}": executable file not found in $PATH`,
    );
  }
  const argv = req.tty
    ? ['script', '-qfec', req.command.map(shellWord).join(' '), '/dev/null']
    : req.command;
  const full = nsArgv(target.netns, argv);
  return spawn(full[0]!, full.slice(1), {
    detached: true,
    env: target.env,
    stdio: [
      req.stdin ? 'pipe' : 'ignore',
      req.stdout || req.tty ? 'pipe' : 'ignore',
      req.stderr && !req.tty ? 'pipe' : 'ignore',
    ],
  });
}

/** Kills the command's whole process group (by its id). */
export function killExec(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
