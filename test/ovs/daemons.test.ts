import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OvsDaemons } from '../../src/ovs/daemons.js';
import { Vsctl } from '../../src/ovs/vsctl.js';
import { run } from '../../src/util/exec.js';
import { TestNet } from '../helpers/netns.js';

const net = new TestNet('ovsd');
let dir = '';
let daemons: OvsDaemons | undefined;
after(async () => {
  await daemons?.stop();
  await net.cleanup();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** A pid that still names a live (non-zombie) process. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

const pidOf = (program: string): number =>
  Number(readFileSync(join(dir, `${program}.pid`), 'utf8'));

test('daemons start inside a fresh netns, report a killed vswitchd, and stop leaving no pid', async () => {
  const ns = await net.netns('node');
  dir = await mkdtemp(join(tmpdir(), `${net.prefix}-`));
  daemons = await OvsDaemons.start({ dir, netns: ns });
  assert.deepEqual(await daemons.alive(), { ovsdb: true, vswitchd: true });
  const pids = [pidOf('ovsdb-server'), pidOf('ovs-vswitchd')];
  for (const pid of pids)
    assert.equal((await run('ip', ['netns', 'identify', String(pid)])).trim(), ns);
  for (const socket of [daemons.dbSocket, daemons.vswitchdCtl, daemons.ovsdbCtl]) {
    assert.ok(existsSync(socket), socket);
  }

  const vsctl = new Vsctl({ dbSocket: daemons.dbSocket, netns: ns });
  assert.match(await vsctl.version(), /^\d+\.\d+\.\d+/);
  await vsctl.addBridge('br-t');
  assert.equal(daemons.mgmtSocket('br-t'), `unix:${dir}/br-t.mgmt`);
  assert.ok(existsSync(join(dir, 'br-t.mgmt')), 'mgmt socket in the run dir');

  // An agent restarting on running daemons sees the same processes.
  const attached = OvsDaemons.attach({ dir, netns: ns });
  assert.deepEqual(await attached.alive(), { ovsdb: true, vswitchd: true });

  process.kill(pids[1], 'SIGKILL');
  for (let i = 0; i < 100 && running(pids[1]); i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(await daemons.alive(), { ovsdb: true, vswitchd: false });

  await daemons.stop();
  assert.deepEqual(await daemons.alive(), { ovsdb: false, vswitchd: false });
  for (const pid of pids) assert.equal(running(pid), false, `pid ${pid} gone`);
  await daemons.stop(); // idempotent
});

test('a second start on a dir whose daemons run fails and leaves them running', async (t) => {
  if (daemons === undefined) return t.skip('first test did not start daemons');
  const ns = await net.netns('node2');
  const d = await OvsDaemons.start({ dir, netns: ns }); // same DB, kept: a node that reboots
  daemons = d;
  await assert.rejects(OvsDaemons.start({ dir, netns: ns }), /already running|pidfile/i);
  assert.deepEqual(await d.alive(), { ovsdb: true, vswitchd: true });
  const vsctl = new Vsctl({ dbSocket: d.dbSocket, netns: ns });
  assert.match(await vsctl.show(), /Bridge br-t/);
});
