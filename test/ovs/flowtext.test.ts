import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../../src/ovs/flow.js';
import {
  flowIdentity,
  formatDumpedFlow,
  formatFlow,
  parseDumpedFlow,
  parseFlow,
} from '../../src/ovs/flowtext.js';
import { splitTopLevel } from '../../src/ovs/textsplit.js';

// Lines printed by `ovs-ofctl -O OpenFlow15 dump-flows` (OVS 3.1), flags and names included.
const DUMPED = [
  ' cookie=0x0, duration=0.017s, table=0, n_packets=0, n_bytes=0, idle_age=0, priority=10,arp,in_port=1 actions=learn(table=20,idle_timeout=10,priority=100,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,10)',
  ' cookie=0x1234, duration=0.017s, table=31, n_packets=0, n_bytes=0, idle_age=0, priority=200,ct_state=-new+trk,ip actions=goto_table:40',
  ' cookie=0x0, duration=0.017s, table=31, n_packets=0, n_bytes=0, idle_timeout=60, hard_timeout=100, idle_age=0, priority=5,tcp,tp_dst=80 actions=drop',
  ' cookie=0x0, duration=0.017s, table=90, n_packets=11666344, n_bytes=1394912954, idle_age=0, priority=190,conj_id=1,ip actions=set_field:0x1->reg6,goto_table:105',
  ' cookie=0x0, duration=0.017s, table=105, n_packets=0, n_bytes=0, idle_age=0, priority=200,ip actions=ct(commit,table=106,zone=65520,nat(dst=10.0.0.1:80))',
  ' cookie=0x0, duration=1.229s, table=4, n_packets=0, n_bytes=0, send_flow_rem check_overlap reset_counts no_packet_counts no_byte_counts importance=5, idle_age=1, priority=9,ip actions=drop',
  ' cookie=0x0, duration=0.022s, table=2, n_packets=0, n_bytes=0, idle_age=0, actions=drop',
  ' cookie=0x0, duration=0.022s, table=2, n_packets=0, n_bytes=0, idle_age=0, tcp,tp_dst=80 actions=drop',
  ' cookie=0x0, duration=0.042s, table=3, n_packets=0, n_bytes=0, idle_age=0, priority=0 actions=NORMAL',
  ' cookie=0x0, duration=0.037s, table=5, n_packets=0, n_bytes=0, idle_age=0, priority=3,ip,in_port="nginx-de-481c4a" actions=output:"nginx-de-481c4a"',
  ' cookie=0x0, duration=9.5s, table=5, n_packets=0, n_bytes=0, idle_age=3, hard_age=2, priority=1,ip actions=resubmit(,6)',
];

test('dump-flows lines parse and print back byte for byte', () => {
  for (const line of DUMPED) assert.equal(formatDumpedFlow(parseDumpedFlow(line)), line);
});

test('a dumped flow parses into fields, stats and top-level actions', () => {
  const f = parseDumpedFlow(DUMPED[0]);
  assert.equal(f.table, 0);
  assert.equal(f.priority, 10);
  assert.equal(f.cookie, undefined, 'cookie 0 is absent');
  assert.deepEqual(f.match, [{ name: 'arp' }, { name: 'in_port', value: '1' }]);
  assert.deepEqual(f.actions, [
    'learn(table=20,idle_timeout=10,priority=100,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])',
    'resubmit(,10)',
  ]);
  assert.deepEqual(f.stats, { duration: '0.017s', nPackets: 0, nBytes: 0, idleAge: 0 });
  assert.deepEqual(parseDumpedFlow(DUMPED[3]).stats.nBytes, 1394912954);
  assert.deepEqual(parseDumpedFlow(DUMPED[4]).actions, [
    'ct(commit,table=106,zone=65520,nat(dst=10.0.0.1:80))',
  ]);
  const flags = parseDumpedFlow(DUMPED[5]);
  assert.deepEqual(flags.flags, [
    'send_flow_rem',
    'check_overlap',
    'reset_counts',
    'no_packet_counts',
    'no_byte_counts',
  ]);
  assert.equal(flags.importance, 5);
  assert.equal(parseDumpedFlow(DUMPED[6]).priority, 32768, 'default priority is not printed');
  assert.deepEqual(parseDumpedFlow(DUMPED[9]).match[1], {
    name: 'in_port',
    value: '"nginx-de-481c4a"',
  });
});

test('formatFlow writes add-flow syntax that parseFlow reads back', () => {
  const flow: Flow = {
    table: 90,
    priority: 200,
    match: [{ name: 'ip' }, { name: 'nw_src', value: '10.10.1.5' }],
    actions: ['conjunction(1,1/2)'],
  };
  assert.equal(
    formatFlow(flow),
    'table=90, priority=200,ip,nw_src=10.10.1.5 actions=conjunction(1,1/2)',
  );
  assert.deepEqual(parseFlow(formatFlow(flow)), flow);
  const full: Flow = {
    table: 0,
    priority: 100,
    cookie: '0x5',
    idleTimeout: 10,
    hardTimeout: 20,
    flags: ['send_flow_rem'],
    importance: 3,
    match: [{ name: 'in_port', value: '3' }],
    actions: ['load:0x2->NXM_NX_REG0[0..15]', 'goto_table:10'],
  };
  assert.equal(
    formatFlow(full),
    'cookie=0x5, table=0, idle_timeout=10, hard_timeout=20, send_flow_rem, importance=3, priority=100,in_port=3 actions=load:0x2->NXM_NX_REG0[0..15],goto_table:10',
  );
  assert.deepEqual(parseFlow(formatFlow(full)), full);
  assert.equal(
    formatFlow({ table: 0, priority: 0, match: [], actions: [] }),
    'table=0, priority=0 actions=drop',
  );
  assert.ok(!('stats' in parseFlow(formatFlow(full))));
});

test('flowIdentity is table, priority and match, whatever the match order or actions', () => {
  const a: Flow = {
    table: 10,
    priority: 200,
    match: [{ name: 'in_port', value: '3' }, { name: 'ip' }],
    actions: ['drop'],
  };
  const b: Flow = {
    ...a,
    match: [...a.match].reverse(),
    actions: ['goto_table:20'],
    cookie: '0x9',
  };
  assert.equal(flowIdentity(a), flowIdentity(b));
  assert.equal(flowIdentity(a), 'table=10,priority=200,in_port=3,ip');
  assert.notEqual(flowIdentity(a), flowIdentity({ ...a, priority: 199 }));
  assert.equal(
    flowIdentity(parseDumpedFlow(DUMPED[1])),
    'table=31,priority=200,ct_state=-new+trk,ip',
  );
});

test('splitting skips separators inside parentheses, brackets and quotes', () => {
  assert.deepEqual(splitTopLevel('a(b,c),d[1,2],"e,f",g', ','), ['a(b,c)', 'd[1,2]', '"e,f"', 'g']);
  assert.deepEqual(splitTopLevel('x=1, y=2,,z', ', '), ['x=1', 'y=2', 'z']);
  assert.throws(() => parseFlow('table=1,priority=1,ip'), /no actions=/);
  assert.throws(
    () => parseFlow('table=x,priority=1 actions=drop'),
    /table: not a non-negative integer/,
  );
});
