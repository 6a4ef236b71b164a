import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { readLog } from '../../../src/kube/kubelet/logs.js';

async function text(stream: Readable): Promise<string> {
  let s = '';
  for await (const c of stream) s += (c as Buffer).toString();
  return s;
}

describe('container logs', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubelet-logs-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const read = (path: string, tailLines?: number): Readable =>
    readLog(path, {
      follow: false,
      ...(tailLines === undefined ? {} : { tailLines }),
      live: () => false,
      signal: new AbortController().signal,
    });

  it('reads all of it, or the last N lines', async () => {
    const path = join(dir, 'a.log');
    await writeFile(path, 'one\ntwo\nthree\n');
    assert.equal(await text(read(path)), 'one\ntwo\nthree\n');
    assert.equal(await text(read(path, 2)), 'two\nthree\n');
    assert.equal(await text(read(path, 0)), '');
    assert.equal(await text(read(path, 10)), 'one\ntwo\nthree\n');
    await writeFile(path, 'one\ntwo\npartial');
    assert.equal(await text(read(path, 1)), 'partial');
    assert.equal(await text(read(path, 2)), 'two\npartial');
  });

  it('finds the tail of a log longer than its read block', async () => {
    const path = join(dir, 'long.log');
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
    await writeFile(path, lines.join('\n') + '\n');
    assert.equal(await text(read(path, 3)), 'line 19997\nline 19998\nline 19999\n');
  });

  it('follows until the writer is gone, or until the reader aborts', async () => {
    const path = join(dir, 'f.log');
    await writeFile(path, 'first\n');
    let live = true;
    const stream = readLog(path, {
      follow: true,
      live: () => live,
      signal: new AbortController().signal,
    });
    const got = text(stream);
    await new Promise((r) => setTimeout(r, 300));
    await appendFile(path, 'second\n');
    await new Promise((r) => setTimeout(r, 300));
    await appendFile(path, 'last\n');
    live = false;
    assert.equal(await got, 'first\nsecond\nlast\n');

    const abort = new AbortController();
    const aborted = text(readLog(path, { follow: true, live: () => true, signal: abort.signal }));
    setTimeout(() => abort.abort(), 300);
    assert.equal(await aborted, 'first\nsecond\nlast\n');
  });
});
