// A long-lived child process that waits for work must not keep Node running while it waits, but
// must while it works: the process and each of its pipes hold Node's event loop on their own.
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

/** Keeps Node up for `child` (`true`) or lets Node exit while it waits (`false`). */
export function holdChild(child: ChildProcess | undefined, keepNodeAlive: boolean): void {
  // The pipes are net.Sockets, which the stream typings do not say.
  const handles = [child, child?.stdin, child?.stdout, child?.stderr] as (
    ChildProcess | Socket | null | undefined
  )[];
  for (const h of handles) setRef(h, keepNodeAlive);
}

/**
 * ref() or unref() one handle; a closed socket is left alone (its ref() would wait for a
 * 'connect' that never comes, one more listener each time).
 */
export function setRef(h: ChildProcess | Socket | null | undefined, keepNodeAlive: boolean): void {
  if (h === null || h === undefined || ('destroyed' in h && h.destroyed)) return;
  if (keepNodeAlive) h.ref();
  else h.unref();
}
