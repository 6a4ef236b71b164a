// The agent's waiting shells: a script's status and stderr come back, a failing or hanging
// script does not take the pool down, and busy workers make later scripts wait, not fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noIPv6Command } from '../../src/agent/cniserver/links.js';
import { ShellPool } from '../../src/agent/cniserver/shellpool.js';
import { ExecError } from '../../src/util/exec.js';

test('scripts run with set -e; failures carry stderr and status; stdin is not the scripts', async () => {
  const pool = new ShellPool(['sh', '-s'], 2);
  try {
    await pool.run('ok', 'echo to-stdout\ntrue');
    await assert.rejects(pool.run('fails', 'echo first >&2\nfalse\necho never >&2'), (e) => {
      assert.ok(e instanceof ExecError);
      assert.equal(e.code, 1);
      assert.equal(e.stderr.trim(), 'first');
      assert.match(e.message, /sh fails exited with code 1: first/);
      return true;
    });
    await assert.rejects(pool.run('status', 'exit 3'), (e) => (e as ExecError).code === 3);
    // A command reading stdin gets nothing (not the next script).
    const [read] = await Promise.allSettled([pool.run('reads', 'cat'), pool.run('after', 'true')]);
    assert.equal(read.status, 'fulfilled');
    // A failed script's background commands end before its status is reported.
    await assert.rejects(pool.run('bg', '(sleep 0.2; echo late >&2) &\nfalse'), (e) => {
      assert.equal((e as ExecError).stderr.trim(), 'late');
      return true;
    });
    await pool.run('here-doc', "test \"$(cat <<'END'\na b\nEND\n)\" = 'a b'");
  } finally {
    pool.close();
  }
});

test('a pool of two runs two scripts at once, queues the third; a timeout kills only its worker', async () => {
  const pool = new ShellPool(['sh', '-s'], 2);
  try {
    const started = performance.now();
    await Promise.all([
      pool.run('a', 'sleep 0.3'),
      pool.run('b', 'sleep 0.3'),
      pool.run('c', 'sleep 0.3'),
    ]);
    const ms = performance.now() - started;
    assert.ok(ms >= 550 && ms < 1500, `3 scripts of 0.3 s on 2 workers took ${ms} ms`);
    await assert.rejects(pool.run('hangs', 'sleep 5', 200), /sh hangs timed out after 200 ms/);
    await pool.run('next', 'true');
  } finally {
    pool.close();
  }
});

test('turning IPv6 off where there is nothing to turn off does not fail a set -e script', async () => {
  // A device that does not exist has no disable_ipv6 file, as no device has on a kernel
  // without IPv6.
  const pool = new ShellPool(['sh', '-s'], 1);
  try {
    await pool.run('no-ipv6', `${noIPv6Command('_nodev_')}\necho after >&2`);
  } finally {
    pool.close();
  }
});
