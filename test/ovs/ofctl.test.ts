import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../../src/ovs/flow.js';
import { flowIdentity, formatDumpedFlow, parseDumpedFlow } from '../../src/ovs/flowtext.js';
import { BundleError, Ofctl } from '../../src/ovs/ofctl.js';
import { startOvs, type OvsFixture } from './fixture.js';

let ovs: OvsFixture;
before(async () => {
  ovs = await startOvs('ovsf');
  await ovs.vsctl.addPort(ovs.bridge, 'gw0', { type: 'internal', ofportRequest: 2 });
});
after(async () => {
  await ovs?.cleanup();
});

const flow = (table: number, priority: number, match: string, actions: string[]): Flow => ({
  table,
  priority,
  match:
    match === ''
      ? []
      : match.split(',').map((m) => {
          const [name, value] = m.split('=');
          return value === undefined ? { name } : { name, value };
        }),
  actions,
});

const identities = async (table: number): Promise<string[]> =>
  (await ovs.ofctl.dumpFlows({ table })).map(flowIdentity).sort();

test('a bundle with one bad flow applies nothing', async () => {
  const { ofctl } = ovs;
  const good = flow(20, 10, 'ip', ['drop']);
  // Rejected by ovs-ofctl's parser: the error names the change.
  const syntax = flow(20, 11, 'ip', ['no_such_action']);
  const err = await ofctl
    .applyBundle([
      { op: 'add', flow: good },
      { op: 'add', flow: syntax },
    ])
    .catch((e: unknown) => e);
  assert.ok(err instanceof BundleError);
  assert.deepEqual(err.change?.flow, syntax);
  assert.match(
    err.message,
    /nothing applied at add table=20, priority=11,ip actions=no_such_action: .*unknown action/,
  );
  // Rejected by the switch after the first flow was sent: the bundle is rolled back.
  const switchSide = flow(20, 12, 'ip', ['group:999']);
  await assert.rejects(
    ofctl.applyBundle([
      { op: 'add', flow: good },
      { op: 'add', flow: switchSide },
    ]),
    (e: unknown) => e instanceof BundleError && /OFPBAC_BAD_OUT_GROUP/.test(e.message),
  );
  assert.deepEqual(await ofctl.dumpFlows({ table: 20 }), []);
});

test('add, modify and delete through bundles', async () => {
  const { ofctl } = ovs;
  const a = flow(90, 200, 'ip,nw_src=10.10.1.5', ['conjunction(1,1/2)']);
  const b = flow(90, 200, 'ip,reg1=0x3', ['conjunction(1,2/2)']);
  const c = flow(90, 190, 'conj_id=1,ip', ['load:0x1->NXM_NX_REG6[]', 'goto_table:105']);
  await ofctl.applyBundle([a, b, c].map((f) => ({ op: 'add' as const, flow: f })));
  assert.deepEqual(await identities(90), [a, b, c].map(flowIdentity).sort());

  const a2 = { ...a, actions: ['conjunction(1,1/2)', 'conjunction(2,1/2)'] };
  await ofctl.applyBundle([
    { op: 'modify', flow: a2 },
    { op: 'delete', flow: b },
    { op: 'add', flow: flow(90, 0, '', ['goto_table:100']) },
  ]);
  const dumped = await ofctl.dumpFlows({ table: 90 });
  assert.deepEqual(
    dumped.map(flowIdentity).sort(),
    [a, c, flow(90, 0, '', [])].map(flowIdentity).sort(),
  );
  assert.deepEqual(dumped.find((f) => flowIdentity(f) === flowIdentity(a))?.actions, a2.actions);
  // OVS prints load:…->NXM_NX_REG6[] as set_field.
  assert.deepEqual(dumped.find((f) => flowIdentity(f) === flowIdentity(c))?.actions, [
    'set_field:0x1->reg6',
    'goto_table:105',
  ]);
  assert.deepEqual(
    await ofctl.dumpFlows({ table: 90, match: 'ip,nw_src=10.10.1.5' }).then((fs) => fs.length),
    1,
  );
  await ofctl.applyBundle([]);
});

test('dump → parse → format round-trips byte for byte', async () => {
  const { ofctl } = ovs;
  await ofctl.applyBundle(
    [
      flow(0, 190, 'in_port=2', ['load:0x2->NXM_NX_REG0[0..15]', 'goto_table:10']),
      flow(10, 200, 'arp,in_port=2,arp_spa=10.10.0.1,arp_sha=aa:bb:cc:dd:ee:01', ['goto_table:20']),
      flow(31, 200, 'ct_state=-new+trk,ip', ['goto_table:40']),
      flow(105, 200, 'ct_state=+new+trk,ip', [
        'ct(commit,table=106,zone=65520,nat(dst=10.0.0.1:80))',
      ]),
      flow(70, 200, 'ip,dl_dst=aa:bb:cc:dd:ee:ff,nw_dst=10.10.0.2', [
        'set_field:aa:bb:cc:dd:ee:01->eth_src',
        'dec_ttl',
        'goto_table:80',
      ]),
      {
        ...flow(31, 5, 'tcp,tp_dst=80', ['drop']),
        idleTimeout: 600,
        cookie: '0xabc',
        flags: ['send_flow_rem'] as const,
      },
      flow(0, 32768, 'udp', ['drop']),
    ].map((f) => ({ op: 'add' as const, flow: f })),
  );
  const raw = await ofctl.dumpFlowsRaw();
  const lines = raw.split('\n').filter((l) => l.startsWith(' '));
  const parsed = await ofctl.dumpFlows();
  assert.ok(lines.length >= 10);
  assert.equal(parsed.length, lines.length);
  // The counters and ages move between the two dumps, so compare each line with its own parse.
  for (const line of lines) assert.equal(formatDumpedFlow(parseDumpedFlow(line)), line);
  assert.ok(
    lines.some((l) =>
      /cookie=0xabc, .* idle_timeout=600, send_flow_rem idle_age=\d+, priority=5,tcp,tp_dst=80 actions=drop$/.test(
        l,
      ),
    ),
  );
  assert.ok(
    lines.some((l) => /, idle_age=\d+, udp actions=drop$/.test(l)),
    'default priority not printed',
  );
});

test('groups: add, modify, dump, delete', async () => {
  const { ofctl } = ovs;
  await ofctl.addGroup(
    'group_id=7,type=select,bucket=bucket_id:0,weight:100,actions=ct(commit,table=42,zone=65520,nat(dst=10.0.0.1:80))',
  );
  assert.match(
    await ofctl.dumpGroups(),
    /group_id=7,type=select,bucket=bucket_id:0,weight:100,actions=ct\(commit/,
  );
  await ofctl.modGroup('group_id=7,type=select,bucket=bucket_id:0,weight:100,actions=output:2');
  assert.match(await ofctl.dumpGroups(), /group_id=7,.*actions=output:2/);
  await ofctl.delGroup(7);
  await ofctl.delGroup(7);
  assert.doesNotMatch(await ofctl.dumpGroups(), /group_id=7/);
});

test('a bundle of 5,000 flows lands whole', async () => {
  const changes = Array.from({ length: 5000 }, (_, i) => ({
    op: 'add' as const,
    flow: flow(95, 200, `ip,nw_src=10.${i >> 8}.${i & 255}.1`, ['conjunction(3,1/2)']),
  }));
  await ovs.ofctl.applyBundle(changes);
  assert.equal((await ovs.ofctl.dumpFlows({ table: 95 })).length, 5000);
});

test('an open flow bundle applies nothing until committed, nothing at all if cancelled', async () => {
  const adds = (table: number) =>
    Array.from({ length: 3000 }, (_, i) => ({
      op: 'add' as const,
      flow: flow(table, 200, `ip,nw_src=10.${i >> 8}.${i & 255}.2`, ['drop']),
    }));
  const cancelled = ovs.ofctl.openFlowBundle();
  // More than one chunk, so ovs-ofctl has read part of it before the cancel.
  for (const c of adds(96)) cancelled.add(c);
  await cancelled.cancel();
  const committed = ovs.ofctl.openFlowBundle();
  for (const c of adds(97)) committed.add(c);
  assert.deepEqual(await ovs.ofctl.dumpFlows({ table: 97 }), []);
  await committed.commit();
  assert.deepEqual(await ovs.ofctl.dumpFlows({ table: 96 }), []);
  assert.equal((await ovs.ofctl.dumpFlows({ table: 97 })).length, 3000);
});

test('a bridge name as target resolves in the daemons run dir', async () => {
  const byName = new Ofctl({ target: ovs.bridge, netns: ovs.netns, rundir: ovs.daemons.dir });
  assert.match(await byName.dumpFlowsRaw({ table: 95 }), /OFPST_FLOW reply/);
});
