// The cluster's own background processes (API server, kube controllers, node daemons): started
// detached in their own process group with a log file and a pid file, found again by the pid
// file, stopped by pid — never by name.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterLayout } from './layout.js';

export interface ProcessSpec {
  /** Names the pid and log files. */
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: Record<string, string>;
}

export function logPath(layout: ClusterLayout, name: string): string {
  return join(layout.logsDir, `${name}.log`);
}

function pidPath(layout: ClusterLayout, name: string): string {
  return join(layout.pidsDir, `${name}.pid`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/** The pid in the pid file if that process still runs the command it was started with. */
export function runningPid(layout: ClusterLayout, name: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(pidPath(layout, name), 'utf8');
  } catch {
    return undefined;
  }
  const [first, ...rest] = text.split('\n');
  const pid = Number(first);
  const argv = rest.join('\n').trim();
  // A recycled pid running something else is not ours.
  return pid > 0 && isAlive(pid) && cmdline(pid) === argv ? pid : undefined;
}

/** Starts the process unless it already runs; returns its pid. */
export function ensureProcess(layout: ClusterLayout, spec: ProcessSpec): number {
  const existing = runningPid(layout, spec.name);
  if (existing) return existing;
  mkdirSync(layout.logsDir, { recursive: true });
  mkdirSync(layout.pidsDir, { recursive: true });
  const log = openSync(logPath(layout, spec.name), 'a');
  const child = spawn(spec.argv[0]!, spec.argv.slice(1), {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...spec.env },
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined)
    throw new Error(`could not start ${spec.name} (${spec.argv.join(' ')})`);
  writeFileSync(pidPath(layout, spec.name), `${child.pid}\n${spec.argv.join(' ')}\n`);
  return child.pid;
}

/** SIGTERM to the process group, SIGKILL after `graceMs`; resolves when it is gone. */
export async function stopProcess(
  layout: ClusterLayout,
  name: string,
  graceMs = 5000,
): Promise<void> {
  const pid = runningPid(layout, name);
  if (pid) {
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-pid, sig);
      } catch {
        try {
          process.kill(pid, sig);
        } catch {
          /* already gone */
        }
      }
    };
    signal('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(pid)) signal('SIGKILL');
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 20));
  }
  rmSync(pidPath(layout, name), { force: true });
}
