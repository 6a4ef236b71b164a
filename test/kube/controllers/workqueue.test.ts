// The shared work queue: one pending entry per key, a key re-added while it runs runs again
// after, failures come back with growing backoff, and shutdown ends the worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkQueue } from '../../../src/kube/controllers/workqueue.js';

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a burst of adds for one key costs one reconcile', async () => {
  const q = new WorkQueue();
  const seen: string[] = [];
  for (const k of ['a', 'b', 'a', 'a', 'b']) q.add(k);
  const worker = q.run(async (k) => void seen.push(k), assert.fail);
  await tick();
  q.shutdown();
  await worker;
  assert.deepEqual(seen, ['a', 'b']);
});

test('a key added while it is being processed runs once more afterwards, never concurrently', async () => {
  const q = new WorkQueue();
  let running = 0;
  let runs = 0;
  const worker = q.run(async () => {
    assert.equal(++running, 1);
    runs++;
    if (runs === 1) {
      q.add('k');
      q.add('k');
    }
    await tick();
    running--;
  }, assert.fail);
  q.add('k');
  await tick(50);
  q.shutdown();
  await worker;
  assert.equal(runs, 2);
});

test('failures retry with exponential backoff; success forgets them', async () => {
  const q = new WorkQueue({ baseMs: 10, maxMs: 40 });
  const delays: number[] = [];
  let calls = 0;
  const worker = q.run(
    async () => {
      if (++calls < 5) throw new Error('not yet');
    },
    (_key, err, retryMs) => {
      assert.match(String(err), /not yet/);
      delays.push(retryMs);
    },
  );
  q.add('k');
  await tick(200);
  assert.equal(calls, 5);
  assert.deepEqual(delays, [10, 20, 40, 40]);
  assert.equal(q.retry('k'), 10, 'backoff was reset by the success');
  q.shutdown();
  await worker;
});

test('shutdown cancels delayed adds and ends an idle worker', async () => {
  const q = new WorkQueue();
  const seen: string[] = [];
  const worker = q.run(async (k) => void seen.push(k), assert.fail);
  q.addAfter('later', 20);
  q.shutdown();
  await worker;
  await tick(40);
  assert.deepEqual(seen, []);
});
