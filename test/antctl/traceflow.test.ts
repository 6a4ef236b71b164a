// Reading ofproto/trace output as `antctl traceflow` shows it, on a trace taken from the local
// cluster (a pod to a ClusterIP): the tables visited across the conntrack recirculation with
// the flow matched in each and its actions (the trace's comments, `thaw` and the `drop` after
// `ct(…,table=N)` left out), ports by name, and a trace that ends in a datapath hash, which
// ofproto/trace does not follow, reported as such rather than as a drop.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { traceflow, traceHops } from '../../src/agent/apiserver/traceflow.js';
import { interpretTrace } from '../../src/ovs/trace.js';

const RAW = `Flow: tcp,in_port=5,vlan_tci=0x0000,dl_src=ea:34:a1:af:7a:1d,dl_dst=5e:d1:1c:e2:e1:10,nw_src=10.10.0.4,nw_dst=10.96.1.2,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,tp_src=0,tp_dst=80,tcp_flags=0

bridge("br-int")
----------------
 0. in_port=5, priority 190
    set_field:0x2/0xffff->reg0
    goto_table:10
10. ip,in_port=5,dl_src=ea:34:a1:af:7a:1d,nw_src=10.10.0.4, priority 200
    goto_table:30
30. ip, priority 200
    ct(table=31,zone=65520,nat)
    drop
     -> A clone of the packet is forked to recirculate. The forked pipeline will be resumed at table 31.
     -> Sets the packet to an untracked state, and clears all the conntrack fields.

Final flow: unchanged
Megaflow: recirc_id=0,eth,ip,in_port=5,nw_frag=no
Datapath actions: ct(zone=65520,nat),recirc(0x13)

===============================================================================
recirc(0x13) - resume conntrack with default ct_state=trk|new (use --ct-next to customize)
===============================================================================

Flow: recirc_id=0x13,ct_state=new|trk,ct_zone=65520,eth,tcp,reg0=0x2,in_port=5

bridge("br-int")
----------------
    thaw
        Resuming from table 31
31. priority 0
    resubmit(,40)
    40. priority 0
            set_field:0x10000/0x70000->reg4
    resubmit(,41)
41. tcp,reg4=0x10000/0x70000,nw_dst=10.96.1.2,tp_dst=80, priority 200
    group:7
     -> no live bucket

Final flow: unchanged
Megaflow: recirc_id=0x13,ct_state=-inv+trk,eth,tcp,in_port=5,nw_dst=10.96.1.2,tp_dst=80
Datapath actions: hash(sym_l4(0)),recirc(0x14)
`;

test('hops across the recirculation, with their flows and actions only', () => {
  const hops = traceHops(RAW, (p) => (p === 5 ? 'ch-busyb-88cc15' : undefined));
  assert.deepEqual(
    hops.map((h) => [h.table, h.tableName, h.flow, h.actions.join(',')]),
    [
      [
        0,
        'Classification',
        'priority=190,in_port="ch-busyb-88cc15"',
        'set_field:0x2/0xffff->reg0,goto_table:10',
      ],
      [
        10,
        'SpoofGuard',
        'priority=200,ip,in_port="ch-busyb-88cc15",dl_src=ea:34:a1:af:7a:1d,nw_src=10.10.0.4',
        'goto_table:30',
      ],
      [30, 'ConntrackZone', 'priority=200,ip', 'ct(table=31,zone=65520,nat)'],
      [31, 'ConntrackState', 'priority=0', 'resubmit(,40)'],
      [40, 'SessionAffinity', 'priority=0', 'set_field:0x10000/0x70000->reg4,resubmit(,41)'],
      [
        41,
        'ServiceLB',
        'priority=200,tcp,reg4=0x10000/0x70000,nw_dst=10.96.1.2,tp_dst=80',
        'group:7',
      ],
    ],
  );
});

test('a trace ending in a datapath hash is not a drop; bad requests are refused', async () => {
  const source = {
    node: 'antrea-worker',
    nextHopMAC: () => '5e:d1:1c:e2:e1:10',
    localPod: () => ({
      ip: '10.10.0.4',
      mac: 'ea:34:a1:af:7a:1d',
      ofport: 5,
      port: 'ch-busyb-88cc15',
    }),
    portName: () => undefined,
    trace: async (packet: string) => {
      assert.equal(
        packet,
        'tcp,in_port=5,dl_src=ea:34:a1:af:7a:1d,dl_dst=5e:d1:1c:e2:e1:10,nw_src=10.10.0.4,nw_dst=10.96.1.2,nw_ttl=64,tcp_dst=80',
      );
      return interpretTrace(RAW, 'br-int', new Map());
    },
  };
  const q = new URLSearchParams({ source: 'default/ch-busybox', destination: '10.96.1.2' });
  const r = await traceflow(source, q);
  assert.equal(r.verdict, 'unknown');
  assert.equal(r.destinationPort, 80);
  await assert.rejects(
    traceflow(source, new URLSearchParams({ source: 'ch-busybox', destination: '10.96.1.2' })),
    /source must be NAMESPACE\/POD/,
  );
  await assert.rejects(
    traceflow(source, new URLSearchParams({ source: 'default/x', destination: 'nginx' })),
    /destination must be an IPv4 address/,
  );
});
