import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExecError, run } from '../../src/util/exec.js';

test('run returns stdout, feeds stdin and passes env', async () => {
  assert.equal(await run('sh', ['-c', 'printf "%s" "$1"', 'sh', 'a b;c']), 'a b;c');
  assert.equal(await run('cat', [], { input: 'line1\nline2\n' }), 'line1\nline2\n');
  assert.equal(await run('sh', ['-c', 'echo $X'], { env: { X: 'y' } }), 'y\n');
});

test('failures are ExecErrors with the command, exit code and stderr', async () => {
  const err = await run('sh', ['-c', 'echo oops >&2; exit 3']).catch((e: unknown) => e);
  assert.ok(err instanceof ExecError);
  assert.equal(err.cmd, 'sh');
  assert.deepEqual(err.args, ['-c', 'echo oops >&2; exit 3']);
  assert.equal(err.code, 3);
  assert.equal(err.stderr, 'oops\n');
  assert.match(err.message, /exited with code 3: oops/);
  await assert.rejects(
    run('no-such-command-xyz', []),
    (e: unknown) => e instanceof ExecError && e.code === null,
  );
  await assert.rejects(run('sleep', ['5'], { timeoutMs: 100 }), /timed out after 100 ms/);
  await assert.rejects(
    run('true', [], { netns: 'no-such-netns-xyz' }),
    /in netns no-such-netns-xyz/,
  );
});
