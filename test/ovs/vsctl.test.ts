import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOvs, type OvsFixture } from './fixture.js';

let ovs: OvsFixture;
before(async () => {
  ovs = await startOvs('ovsv');
});
after(async () => {
  await ovs?.cleanup();
});

test('bridge, internal, geneve and veth ports get ofports', async () => {
  const { vsctl, bridge, net, netns } = ovs;
  await vsctl.addBridge(bridge); // --may-exist: harmless again
  const gw = await vsctl.addPort(bridge, 'antrea-gw0', { type: 'internal', ofportRequest: 2 });
  assert.equal(gw.ofport, 2);
  assert.equal(gw.type, 'internal');
  assert.match(gw.mac ?? '', /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  const tun = await vsctl.addPort(bridge, 'antrea-tun0', {
    type: 'geneve',
    options: { remote_ip: 'flow', key: 'flow', csum: 'true' },
  });
  assert.ok(tun.ofport > 0);
  assert.deepEqual(tun.options, { remote_ip: 'flow', key: 'flow', csum: 'true' });

  const pod = await net.netns('pod');
  const host = net.name('h');
  await net.veth({ name: host, netns }, { name: 'eth0', netns: pod, address: '10.98.0.2/24' });
  const veth = await vsctl.addPort(bridge, host, {
    externalIds: { 'pod-name': 'p', ip: '10.98.0.2' },
  });
  assert.ok(veth.ofport > 0);
  assert.equal(veth.type, 'system');
  assert.equal(await vsctl.getOfport(host), veth.ofport);
  assert.deepEqual(await vsctl.addPort(bridge, host), veth, 'adding again returns the same port');

  const listed = await vsctl.listInterfaces(bridge);
  assert.deepEqual(listed.map((r) => r.name).sort(), ['antrea-gw0', 'antrea-tun0', host].sort());
  assert.deepEqual(
    listed.find((r) => r.name === host),
    veth,
  );
  const ofports = listed.map((r) => r.ofport);
  assert.deepEqual(
    ofports,
    [...ofports].sort((a, b) => a - b),
    'listed by ofport',
  );
  assert.match(
    await vsctl.show(),
    /Port antrea-tun0\s+Interface antrea-tun0\s+type: geneve\s+options: \{csum="true", key=flow, remote_ip=flow\}/,
  );
});

test('external_ids round-trip, quoting included', async () => {
  const { vsctl, bridge } = ovs;
  const ids = { 'k8s.io/pod': 'ns/a:b', 'with,comma': 'x=y "q"', empty: '' };
  await vsctl.setExternalIds('antrea-gw0', ids);
  await vsctl.setExternalIds('antrea-gw0', { more: '1' });
  const gw = (await vsctl.listInterfaces(bridge)).find((r) => r.name === 'antrea-gw0');
  assert.deepEqual(gw?.externalIds, { ...ids, more: '1' });
});

test('a port vswitchd cannot open is an error naming it, and is not left behind', async () => {
  const { vsctl, bridge } = ovs;
  await assert.rejects(
    vsctl.addPort(bridge, 'nosuchdev0'),
    /port nosuchdev0 on bridge br-int: no ofport: .*nosuchdev0/,
  );
  assert.ok(!(await vsctl.listInterfaces(bridge)).some((r) => r.name === 'nosuchdev0'));
  await assert.rejects(vsctl.getOfport('nosuchdev0'), /no row/);
});

test('delPort and delBridge remove, and are idempotent', async () => {
  const { vsctl, bridge } = ovs;
  await vsctl.delPort(bridge, 'antrea-tun0');
  await vsctl.delPort(bridge, 'antrea-tun0');
  assert.ok(!(await vsctl.listInterfaces(bridge)).some((r) => r.name === 'antrea-tun0'));
  await vsctl.addBridge('br-x', { externalIds: { owner: 'test' }, failMode: 'secure' });
  await vsctl.delBridge('br-x');
  await vsctl.delBridge('br-x');
  assert.doesNotMatch(await vsctl.show(), /br-x/);
});
