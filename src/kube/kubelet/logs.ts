// Reading a container's log file for `kubectl logs`: the last N lines (found by reading the file
// backwards, so a long log is not loaded whole), and with `follow` the output that keeps coming
// until the instance that writes it is gone or the reader goes away.
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

const BLOCK = 64 * 1024;
const FOLLOW_POLL_MS = 200;
const NEWLINE = 0x0a;

/** Offset where the last `lines` lines of the file start. */
async function tailOffset(file: FileHandle, size: number, lines: number): Promise<number> {
  if (lines === 0) return size;
  const block = Buffer.alloc(BLOCK);
  let wanted = lines;
  let pos = size;
  while (pos > 0) {
    const len = Math.min(BLOCK, pos);
    pos -= len;
    await file.read(block, 0, len, pos);
    for (let i = len - 1; i >= 0; i--) {
      if (block[i] !== NEWLINE) continue;
      if (pos + i === size - 1) continue; // a final newline ends the last line, starts none
      if (--wanted === 0) return pos + i + 1;
    }
  }
  return 0;
}

export interface LogReadOptions {
  readonly tailLines?: number;
  readonly follow: boolean;
  /** While true, following waits for more output; once false the rest is sent and it ends. */
  live(): boolean;
  readonly signal: AbortSignal;
}

export function readLog(path: string, opts: LogReadOptions): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      let pos = opts.tailLines === undefined ? 0 : await tailOffset(file, size, opts.tailLines);
      // Without follow, the log as it was when asked (a busy writer could otherwise add lines).
      const end = opts.follow ? Infinity : size;
      const buf = Buffer.alloc(BLOCK);
      while (!opts.signal.aborted) {
        const live = opts.live();
        let n: number;
        while (
          pos < end &&
          (n = (await file.read(buf, 0, Math.min(BLOCK, end - pos), pos)).bytesRead) > 0
        ) {
          pos += n;
          yield Buffer.from(buf.subarray(0, n));
        }
        if (!opts.follow || !live) return;
        await sleep(FOLLOW_POLL_MS, undefined, { signal: opts.signal }).catch(() => undefined);
      }
    } finally {
      await file.close();
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
