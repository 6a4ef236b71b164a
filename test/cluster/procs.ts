// The machine's processes as /proc shows them: who is whose child, which network namespace
// each is in, how much memory it holds. Read-only; a process that ends while being read is
// simply left out.
import { readdirSync, readFileSync, statSync } from 'node:fs';

export interface Proc {
  readonly pid: number;
  readonly ppid: number;
  /** Field 22 of /proc/PID/stat: tells a process from a later one with the same pid. */
  readonly start: string;
  readonly cmdline: string;
  /** Inode of its network namespace. */
  readonly netns: number | undefined;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined; // a zombie has ended
    let netns: number | undefined;
    try {
      netns = statSync(`/proc/${pid}/ns/net`).ino;
    } catch {
      netns = undefined;
    }
    return {
      pid,
      ppid: Number(fields[1]),
      start: fields[19]!,
      cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim(),
      netns,
    };
  } catch {
    return undefined;
  }
}

export function processTable(): Proc[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map((e) => readProc(Number(e)))
    .filter((p): p is Proc => p !== undefined);
}

/** Whether the process still runs (and is the same process, not a reused pid). */
export function stillRunning(p: Pick<Proc, 'pid' | 'start'>): boolean {
  return readProc(p.pid)?.start === p.start;
}

/** The roots and every process below them. */
export function withDescendants(table: readonly Proc[], roots: readonly Proc[]): Proc[] {
  const found = new Map(roots.map((p) => [p.pid, p]));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of table) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.set(p.pid, p);
        grew = true;
      }
    }
  }
  return [...found.values()];
}

/** The inode of a named network namespace (`ip netns add NAME`), or undefined. */
export function netnsInode(name: string): number | undefined {
  try {
    return statSync(`/run/netns/${name}`).ino;
  } catch {
    return undefined;
  }
}

/** Resident memory (VmRSS) in MB, or undefined when the process is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
