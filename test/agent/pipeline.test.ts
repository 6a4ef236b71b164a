// The pipeline on a real OVS with real packets: pod-to-pod TCP and UDP, ARP for the gateway
// answered by table 20, forged source IP or MAC dropped by table 10, the per-pod flows of
// walkthrough step 6, and a remote node's PodCIDR routed into the tunnel.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Table } from '../../src/agent/openflow/tables.js';
import { formatFlow } from '../../src/ovs/flowtext.js';
import type { DumpedFlow } from '../../src/ovs/flow.js';
import { run } from '../../src/util/exec.js';
import { SingleNode, type TestPod } from '../helpers/singlenode.js';

let node: SingleNode;
before(async () => {
  node = await SingleNode.start({
    tag: 'ofpl',
    pods: [{ name: 'client' }, { name: 'server' }, { name: 'forger' }],
  });
});
after(async () => {
  await node?.stop();
});

/** n_packets of the flow in `table` whose text (after `priority=`) starts with `match`. */
async function packets(table: number, match: string): Promise<number> {
  const flows = await node.dumpFlows(table);
  const f = flows.find((x: DumpedFlow) => formatFlow(x).includes(`priority=${match} actions=`));
  assert.ok(f, `no flow priority=${match} in table ${table}`);
  return f.stats.nPackets;
}

/** A TCP connection (nc -z) from the pod, optionally from another source address. */
const connects = (from: TestPod, to: string, port: number, args: string[] = []) =>
  node.exec(from, 'nc', ['-z', '-w', '1', ...args, to, String(port)]).then(
    () => true,
    () => false,
  );

test('two pods on the node reach each other over TCP and UDP', async () => {
  const [a, b] = [node.pod('client'), node.pod('server')];
  const body = await node.exec(a, 'curl', ['-s', '-m', '5', `http://${b.ip}:80/`]);
  assert.equal(body, 'default/server');
  const reply = await node.exec(a, 'nc', ['-u', '-W', '1', '-w', '2', b.ip, '81'], {
    input: 'hi\n',
  });
  assert.equal(reply, 'default/server');
});

test('ARP for the gateway is answered by table 20', async () => {
  const a = node.pod('client');
  const t = await node.trace(
    `in_port=${a.ofport},arp,dl_src=${a.mac},dl_dst=ff:ff:ff:ff:ff:ff,arp_op=1,` +
      `arp_spa=${a.ip},arp_sha=${a.mac},arp_tpa=${node.gatewayIP}`,
  );
  assert.deepEqual(t.tables, [Table.Classification, Table.SpoofGuard, Table.ARPResponder]);
  assert.deepEqual(t.outputPorts, [a.ofport], 'the reply goes back to the asking pod');

  const responder = `200,arp,reg0=0x2/0xffff,arp_tpa=${node.gatewayIP},arp_op=1`;
  const before = await packets(Table.ARPResponder, responder);
  await node.exec(a, 'ip', ['neigh', 'flush', 'dev', 'eth0']);
  await connects(a, node.gatewayIP, 9); // refused, but it needed the gateway's MAC
  const neigh = await node.exec(a, 'ip', ['neigh', 'show', node.gatewayIP]);
  assert.match(neigh, new RegExp(`lladdr ${node.gatewayMAC}`));
  assert.ok((await packets(Table.ARPResponder, responder)) > before, 'the request hit table 20');
});

test('a forged source IP or MAC is dropped by table 10', async () => {
  const [f, b] = [node.pod('forger'), node.pod('server')];
  const forged = `${node.podSubnet}.99`;
  const t = await node.trace(
    `in_port=${f.ofport},icmp,dl_src=${f.mac},dl_dst=${b.mac},nw_src=${forged},nw_dst=${b.ip}`,
  );
  assert.deepEqual(t.tables, [Table.Classification, Table.SpoofGuard]);
  assert.equal(t.verdict, 'drop');

  // Real packets: the neighbour entry is set so only the IP packet itself is judged.
  await node.exec(f, 'ip', ['neigh', 'replace', b.ip, 'lladdr', b.mac, 'dev', 'eth0']);
  assert.ok(await connects(f, b.ip, 80), "the pod's own address works");
  await node.exec(f, 'ip', ['addr', 'add', `${forged}/32`, 'dev', 'eth0']);
  const drops = await packets(Table.SpoofGuard, '0');
  assert.equal(await connects(f, b.ip, 80, ['-s', forged]), false, 'forged IP');
  const afterIP = await packets(Table.SpoofGuard, '0');
  assert.ok(afterIP > drops, 'dropped by the SpoofGuard miss flow');

  await node.exec(f, 'ip', ['link', 'set', 'eth0', 'address', '02:00:00:00:00:99']);
  assert.equal(await connects(f, b.ip, 80), false, 'forged MAC');
  assert.ok((await packets(Table.SpoofGuard, '0')) > afterIP);
  await node.exec(f, 'ip', ['link', 'set', 'eth0', 'address', f.mac]);
  assert.ok(await connects(f, b.ip, 80), 'the real MAC works again');
});

test("a pod's flows are those of walkthrough step 6", async () => {
  const p = node.pod('server');
  const flows = node.podFlows(p).map(formatFlow).sort();
  assert.deepEqual(flows, [
    `table=0, priority=190,in_port=${p.ofport} actions=load:0x2->NXM_NX_REG0[0..15],goto_table:10`,
    `table=10, priority=200,arp,in_port=${p.ofport},arp_spa=${p.ip},arp_sha=${p.mac} actions=goto_table:20`,
    `table=10, priority=200,ip,in_port=${p.ofport},dl_src=${p.mac},nw_src=${p.ip} actions=goto_table:30`,
    `table=70, priority=200,ip,dl_dst=aa:bb:cc:dd:ee:ff,nw_dst=${p.ip} actions=set_field:${node.gatewayMAC}->eth_src,set_field:${p.mac}->eth_dst,dec_ttl,goto_table:80`,
    `table=80, priority=200,dl_dst=${p.mac} actions=load:0x${p.ofport.toString(16)}->NXM_NX_REG1[],load:0x1->NXM_NX_REG0[16],goto_table:85`,
  ]);
  // OVS holds them (it prints load as set_field).
  const dumped = (await node.dumpFlows(Table.L2Forwarding)).map(formatFlow);
  assert.ok(
    dumped.some((l) =>
      l.includes(`dl_dst=${p.mac} actions=set_field:0x${p.ofport.toString(16)}->reg1`),
    ),
  );
});

test("a remote node's PodCIDR goes into the tunnel with tun_dst, and its gateway is ARP-answered", async () => {
  const a = node.pod('client');
  await node.client.installRemoteNode({
    name: 'node-2',
    podCIDR: '10.20.0.0/24',
    nodeIP: '192.168.77.2',
    gatewayIP: '10.20.0.1',
  });
  const t = await node.trace(
    `in_port=${a.ofport},icmp,dl_src=${a.mac},dl_dst=${node.gatewayMAC},nw_src=${a.ip},nw_dst=10.20.0.5,nw_ttl=64`,
  );
  assert.deepEqual(t.tables.slice(-4), [
    Table.L3Forwarding,
    Table.ConntrackCommit,
    Table.HairpinSNAT,
    Table.Output,
  ]);
  assert.match(t.raw, /set_field:192\.168\.77\.2->tun_dst/);
  assert.match(t.raw, /output:NXM_NX_REG1\[\]\n.*-> output port is 1/);

  const gw = await node.trace(
    `in_port=2,arp,dl_src=${node.gatewayMAC},dl_dst=ff:ff:ff:ff:ff:ff,arp_op=1,` +
      `arp_spa=${node.gatewayIP},arp_sha=${node.gatewayMAC},arp_tpa=10.20.0.1`,
  );
  assert.deepEqual(gw.tables, [Table.Classification, Table.SpoofGuard, Table.ARPResponder]);
  assert.deepEqual(gw.outputPorts, [2]);
  await node.client.uninstallRemoteNode('node-2');
  const after = await node.trace(
    `in_port=${a.ofport},icmp,dl_src=${a.mac},dl_dst=${node.gatewayMAC},nw_src=${a.ip},nw_dst=10.20.0.5,nw_ttl=64`,
  );
  assert.doesNotMatch(after.raw, /tun_dst/);
});

test('after OVS lost its flows, replay restores all of them in one bundle', async () => {
  const [a, b] = [node.pod('client'), node.pod('server')];
  const before = (await node.dumpFlows()).length;
  await run('ovs-ofctl', ['-O', 'OpenFlow15', 'del-flows', node.daemons!.mgmtSocket('br-int')]);
  assert.equal((await node.dumpFlows()).length, 0);
  assert.equal(await connects(a, b.ip, 80), false, 'no flows, no traffic');
  await node.client.replay();
  assert.equal((await node.dumpFlows()).length, before);
  assert.equal(
    await node.exec(a, 'curl', ['-s', '-m', '5', `http://${b.ip}:80/`]),
    'default/server',
  );
});
