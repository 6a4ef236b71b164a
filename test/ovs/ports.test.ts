import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonSplitter } from '../../src/ovs/jsonrpc.js';
import { OvsDaemons } from '../../src/ovs/daemons.js';
import { OvsdbPorts } from '../../src/ovs/ports.js';
import { startOvs, type OvsFixture } from './fixture.js';

let ovs: OvsFixture;
let ports: OvsdbPorts;
before(async () => {
  ovs = await startOvs('ovsp');
  ports = await OvsdbPorts.connect(ovs.daemons.dbSocket);
});
after(async () => {
  ports?.close();
  await ovs?.cleanup();
});

test('back-to-back JSON texts are cut whole, whatever the chunks and the strings hold', () => {
  const texts = ['{"a":"}{\\"]"}', '[1,{"b":[]}]', '{"id":null,"é":"x"}'];
  const stream = texts.join(' \n');
  for (const size of [1, 3, stream.length]) {
    const s = new JsonSplitter();
    const got: string[] = [];
    for (let i = 0; i < stream.length; i += size) got.push(...s.push(stream.slice(i, i + size)));
    assert.deepEqual(
      got.map((t) => JSON.parse(t) as unknown),
      texts.map((t) => JSON.parse(t) as unknown),
      `chunks of ${size}`,
    );
  }
});

let pairs = 0;
/** A veth pair in the node namespace; its first end goes on the bridge. */
async function veth(): Promise<string> {
  const n = pairs++;
  const host = ovs.net.name(`h${n}`);
  await ovs.net.veth(
    { name: host, netns: ovs.netns },
    { name: ovs.net.name(`p${n}`), netns: ovs.netns },
  );
  return host;
}

test('a port is added with its external_ids and the ofport asked for, as ovs-vsctl sees it', async () => {
  const host = await veth();
  const want = ports.nextOfport();
  const port = await ports.addPort(ovs.bridge, host, {
    externalIds: { 'pod-name': 'p', 'with,comma': 'x=y "q"' },
    ofportRequest: want,
  });
  assert.equal(port.ofport, want);
  assert.equal(port.type, 'system');
  assert.equal(await ports.getOfport(host), want);
  const listed = (await ovs.vsctl.listInterfaces(ovs.bridge)).find((r) => r.name === host);
  assert.deepEqual(listed, port);
  assert.notEqual(ports.nextOfport(), want, 'a number in use is not handed out');

  const again = await ports.addPort(ovs.bridge, host, { externalIds: { 'pod-name': 'q' } });
  assert.equal(again.ofport, want, 'adding again updates the port in place');
  assert.deepEqual(again.externalIds, { 'pod-name': 'q' });

  await ports.delPort(ovs.bridge, host);
  await ports.delPort(ovs.bridge, host); // a missing port is fine
  assert.equal(
    (await ovs.vsctl.listInterfaces(ovs.bridge)).some((r) => r.name === host),
    false,
  );
  await assert.rejects(ports.getOfport(host), /no ofport/);
});

test('a port vswitchd cannot open is removed again, with OVS reason; a missing bridge fails', async () => {
  const missing = ovs.net.name('x');
  await assert.rejects(ports.addPort(ovs.bridge, missing), /could not open network device/);
  assert.equal(
    (await ovs.vsctl.listInterfaces(ovs.bridge)).some((r) => r.name === missing),
    false,
  );
  await assert.rejects(ports.addPort('no-such-br', await veth()), /no bridge no-such-br/);
});

test('a port added before its device gets its ofport when the device appears; abort gives up', async () => {
  const n = pairs++;
  const host = ovs.net.name(`h${n}`);
  const want = ports.nextOfport();
  const added = ports.addPort(
    ovs.bridge,
    host,
    { ofportRequest: want },
    { deviceLater: new AbortController().signal },
  );
  await ovs.net.veth(
    { name: host, netns: ovs.netns },
    { name: ovs.net.name(`p${n}`), netns: ovs.netns },
  );
  assert.equal((await added).ofport, want);

  const never = ovs.net.name('never');
  const giveUp = new AbortController();
  const waiting = ports.addPort(ovs.bridge, never, {}, { deviceLater: giveUp.signal });
  giveUp.abort();
  await assert.rejects(waiting, /the device was not created/);
  assert.equal(
    (await ovs.vsctl.listInterfaces(ovs.bridge)).some((r) => r.name === never),
    false,
  );
});

test('after ovsdb-server restarts, the client reconnects and knows the ports again', async () => {
  const host = await veth();
  const port = await ports.addPort(ovs.bridge, host);
  await ovs.daemons.stop();
  const restarted = await OvsDaemons.start({ dir: ovs.daemons.dir, netns: ovs.netns });
  try {
    assert.equal(await ports.getOfport(host), port.ofport);
    const other = await veth();
    assert.ok((await ports.addPort(ovs.bridge, other)).ofport > 0);
  } finally {
    await restarted.stop();
  }
});
