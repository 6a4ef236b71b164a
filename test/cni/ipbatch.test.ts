// The agent's long-lived `ip -batch`: commands answer in order, each with its own error, in the
// node's namespace (a test namespace here), and a pod namespace created after it started.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { IpBatch } from '../../src/agent/cniserver/ipbatch.js';
import { upWithoutIPv6 } from '../../src/agent/cniserver/links.js';
import { ExecError, run } from '../../src/util/exec.js';
import { TestNet } from '../helpers/netns.js';

const net = new TestNet('ipbat');
let node: string;
let ip: IpBatch;

before(async () => {
  node = await net.netns('node');
  ip = new IpBatch(node);
});
after(async () => {
  ip?.close();
  await net.cleanup();
});

const links = async (ns: string): Promise<string[]> =>
  (JSON.parse(await run('ip', ['-n', ns, '-j', 'link', 'show'])) as { ifname: string }[])
    .map((l) => l.ifname)
    .sort();

test('pipelined commands succeed or fail one by one, with ip messages', async () => {
  const pod = await net.netns('pod'); // after the ip process started
  const [a, b] = [net.name('a'), net.name('b')];
  const results = await Promise.allSettled([
    ip.run([
      'link',
      'add',
      a,
      'up',
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      `/var/run/netns/${pod}`,
    ]),
    ip.run(['link', 'add', a, 'type', 'veth', 'peer', 'name', 'eth1']),
    ip.run(['link', 'add', b, 'type', 'veth', 'peer', 'name', net.name('c')]),
    ip.run(['link', 'del', net.name('none')]),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled', 'rejected'],
  );
  const exists = (results[1] as PromiseRejectedResult).reason as ExecError;
  assert.ok(exists instanceof ExecError);
  assert.match(exists.stderr, /File exists/);
  assert.match(
    ((results[3] as PromiseRejectedResult).reason as ExecError).stderr,
    /Cannot find device/,
  );
  assert.deepEqual(await links(node), [a, b, net.name('c'), 'lo'].sort());
  assert.deepEqual(await links(pod), ['eth0', 'lo']);
  await ip.run(['link', 'del', a]);
  await ip.run(['link', 'del', b]);
  assert.deepEqual(await links(node), ['lo']);
  await assert.rejects(ip.run(['link', 'del', 'x y']), /blank argument/);
});

test('a new ip process takes over after the old one was stopped', async () => {
  ip.close();
  const d = net.name('d');
  await ip.run(['link', 'add', d, 'type', 'veth', 'peer', 'name', net.name('e')]);
  await ip.run(['link', 'del', d]);
});

test('a veth end brought up without IPv6 gets no IPv6 address; without kernel IPv6, just up', async () => {
  assert.deepEqual(upWithoutIPv6('eth0', false), ['link', 'set', 'eth0', 'up']);
  const [f, g] = [net.name('f'), net.name('g')];
  await ip.run(['link', 'add', f, 'type', 'veth', 'peer', 'name', g]);
  await Promise.all([ip.run(upWithoutIPv6(f, true)), ip.run(upWithoutIPv6(g, true))]);
  const [link] = JSON.parse(await run('ip', ['-n', node, '-j', 'addr', 'show', 'dev', f])) as {
    flags: string[];
    addr_info: unknown[];
  }[];
  assert.ok(link.flags.includes('UP'), `${f} is up`);
  assert.deepEqual(link.addr_info, [], 'no link-local address, so no DAD, RS or MLD');
  await ip.run(['link', 'del', f]);
});
