// The waiting shells that start ovs-ofctl for the agent (util/launcher.ts): each process gets its
// own stdin and stderr, more processes than a shell has slots run through the next shell, a
// kill or close ends them, a dead shell is replaced, and a waiting process does not hold Node.
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessLauncher, type LaunchedProcess } from '../../src/util/launcher.js';
import { TestNet } from '../helpers/netns.js';

/** Writes `text` as the process's whole input. */
function feed(p: LaunchedProcess, text: string): void {
  p.stdin.end(text);
}

test('each process reads its own stdin and reports its own stderr and status, past one shell', async () => {
  const launcher = new ProcessLauncher();
  try {
    // 40 at once: more than the 16 slots of a shell, so three shells take part.
    const procs = Array.from({ length: 40 }, (_, i) =>
      launcher.launch(['sh', '-c', `cat >&2; exit ${i % 4}`]),
    );
    procs.forEach((p, i) => feed(p, `input ${i}\n`));
    const exits = await Promise.all(procs.map((p) => p.exited));
    exits.forEach((e, i) => {
      assert.equal(e.stderr, `input ${i}\n`);
      assert.equal(e.code, i % 4);
    });
    assert.ok(procs.every((p) => !p.alive));
    // Words with quotes and spaces arrive as they were given.
    const odd = launcher.launch(['sh', '-c', 'printf "%s|" "$@" >&2', 'sh', "it's", 'a b']);
    feed(odd, '');
    assert.equal((await odd.exited).stderr, "it's|a b|");
  } finally {
    launcher.close();
  }
});

test('kill and close end processes; a missing command ends with 127', async () => {
  const launcher = new ProcessLauncher();
  try {
    const killed = launcher.launch(['sleep', '30']);
    killed.kill();
    assert.equal((await killed.exited).code, 128 + 9);
    const missing = launcher.launch(['no-such-command-here']);
    feed(missing, '');
    const e = await missing.exited;
    assert.equal(e.code, 127);
    assert.match(e.stderr, /no-such-command-here/);

    // Closed right away: killed, or (its shell killed first) never started.
    const left = launcher.launch(['sleep', '30']);
    launcher.close();
    assert.notEqual((await left.exited).code, 0);
    assert.ok(!left.alive);
  } finally {
    launcher.close();
  }
});

test('in a network namespace and with extra environment, as ovs-ofctl for a node runs', async () => {
  const net = new TestNet('lnch');
  const launcher = new ProcessLauncher({
    netns: await net.netns('node'),
    env: { OVS_RUNDIR: '/run/x y' },
  });
  try {
    const p = launcher.launch(['sh', '-c', 'ip -o link show >&2; printf "%s" "$OVS_RUNDIR" >&2']);
    feed(p, '');
    const { code, stderr } = await p.exited;
    assert.equal(code, 0);
    // A fresh namespace has its loopback device only.
    assert.match(stderr, /^1: lo: [^\n]*\n\/run\/x y$/);
  } finally {
    launcher.close();
    await net.cleanup();
  }
});

test('a shell that died is replaced at the next launch', async () => {
  const launcher = new ProcessLauncher();
  try {
    // The process's parent is the shell's per-process subshell, whose parent is the shell.
    const killer = launcher.launch(['sh', '-c', 'kill -9 $(ps -o ppid= -p $PPID)']);
    feed(killer, '');
    await killer.exited;
    await new Promise((resolve) => setTimeout(resolve, 300)); // the shell's end is seen
    const after = launcher.launch(['sh', '-c', 'cat >&2']);
    feed(after, 'still starting\n');
    assert.deepEqual(await after.exited, { code: 0, stderr: 'still starting\n' });
  } finally {
    launcher.close();
  }
});

test('Node exits with a spare waiting, and with an ended process held', () => {
  // In a child Node: it must end by itself, within the timeout.
  const script = `
    import { ProcessLauncher } from ${JSON.stringify(new URL('../../src/util/launcher.js', import.meta.url).href)};
    const launcher = new ProcessLauncher();
    const ended = launcher.launch(['true']);
    ended.stdin.end();
    await ended.exited;
    ended.hold(true);
    launcher.launch(['cat']).hold(false);
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 });
  assert.equal(r.status, 0, `${r.error ?? ''} ${r.stderr}`);
});
