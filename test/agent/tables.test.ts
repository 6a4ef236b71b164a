// The table list antctl prints, and the pipeline's static shape in both modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeFlows, podFlows } from '../../src/agent/openflow/pipeline.js';
import { FLOW_TABLES, resolveTable } from '../../src/agent/openflow/tables.js';
import { formatFlow } from '../../src/ovs/flowtext.js';

const gateway = { ofport: 2, ip: '192.168.2.1', mac: '46:05:cf:f0:69:b3' };
const pod = {
  namespace: 'default',
  podName: 'nginx-deployment-cc7df4f8f-69cm2',
  ifName: 'nginx-de-481c4a',
  ofport: 3,
  ips: ['192.168.2.2'],
  mac: '32:a1:45:43:7c:96',
};

test('the table list is the seed antctl get ovsflows -h list; -T takes a name or a number', () => {
  assert.equal(FLOW_TABLES.length, 30);
  assert.deepEqual(FLOW_TABLES[0], { number: 0, name: 'Classification' });
  assert.deepEqual(FLOW_TABLES.at(-1), { number: 110, name: 'Output' });
  assert.equal(resolveTable('ingressRule'), 90);
  assert.equal(resolveTable('90'), 90);
  assert.equal(resolveTable('HairpinSNATTable'), 106);
  assert.equal(resolveTable('91'), undefined);
});

test('without the Antrea-native tiers, the pod flows are the seed step 6 flows exactly', () => {
  const lines = podFlows({ gateway, tunnelOFPort: 1, antreaPolicy: false }, pod).map(formatFlow);
  assert.deepEqual(lines, [
    'table=0, priority=190,in_port=3 actions=load:0x2->NXM_NX_REG0[0..15],goto_table:10',
    'table=10, priority=200,ip,in_port=3,dl_src=32:a1:45:43:7c:96,nw_src=192.168.2.2 actions=goto_table:30',
    'table=10, priority=200,arp,in_port=3,arp_spa=192.168.2.2,arp_sha=32:a1:45:43:7c:96 actions=goto_table:20',
    'table=70, priority=200,ip,dl_dst=aa:bb:cc:dd:ee:ff,nw_dst=192.168.2.2 actions=set_field:46:05:cf:f0:69:b3->eth_src,set_field:32:a1:45:43:7c:96->eth_dst,dec_ttl,goto_table:80',
    'table=80, priority=200,dl_dst=32:a1:45:43:7c:96 actions=load:0x3->NXM_NX_REG1[],load:0x1->NXM_NX_REG0[16],goto_table:90',
  ]);
  const tables = new Set(nodeFlows({ gateway, antreaPolicy: false }).map((f) => f.table));
  assert.ok(![45, 49, 85, 89].some((t) => tables.has(t)));
});

test('with them, every tier table passes on to the next and established traffic skips them', () => {
  const flows = nodeFlows({ gateway, antreaPolicy: true }).map(formatFlow);
  for (const t of [45, 46, 47, 48, 49]) {
    assert.ok(flows.includes(`table=${t}, priority=0 actions=goto_table:${t === 49 ? 50 : t + 1}`));
    assert.ok(
      flows.includes(`table=${t}, priority=65000,ct_state=-new+est,ip actions=goto_table:70`),
    );
  }
  for (const t of [85, 86, 87, 88, 89]) {
    assert.ok(flows.includes(`table=${t}, priority=0 actions=goto_table:${t === 89 ? 90 : t + 1}`));
    assert.ok(
      flows.includes(`table=${t}, priority=65000,ct_state=-new+est,ip actions=goto_table:105`),
    );
  }
  assert.ok(flows.includes('table=42, priority=0 actions=goto_table:45'));
});
