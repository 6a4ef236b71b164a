// The owner-keyed flow cache: shared conjunctive flows merge their actions, other shared flows
// must agree, transactions yield only the touched flows and roll back on failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowCache } from '../../src/agent/openflow/flowcache.js';
import { FlowTexts } from '../../src/agent/openflow/flowkey.js';
import { ConjunctionFlows } from '../../src/agent/openflow/policy.js';
import { formatFlow } from '../../src/ovs/flowtext.js';
import type { Flow } from '../../src/ovs/flow.js';

const clause = (id: number, ip = '10.0.0.1'): Flow => ({
  table: 90,
  priority: 200,
  match: [{ name: 'ip' }, { name: 'nw_src', value: ip }],
  actions: [`conjunction(${id},1/2)`],
});
const drop = (port: number): Flow => ({
  table: 100,
  priority: 200,
  match: [{ name: 'ip' }, { name: 'reg1', value: `0x${port.toString(16)}` }],
  actions: [],
});

function commit(cache: FlowCache) {
  const changes = cache.changes();
  cache.commit();
  return changes.map((c) => `${c.op} ${c.flow.actions.join(',') || 'drop'}`);
}

test('identical matches from several rules are one flow carrying every conjunction', () => {
  const cache = new FlowCache();
  cache.put('rule/b', clause(10));
  cache.put('rule/a', clause(2));
  assert.deepEqual(commit(cache), ['add conjunction(2,1/2),conjunction(10,1/2)']);
  cache.put('rule/c', clause(7));
  assert.deepEqual(commit(cache), [
    'modify conjunction(2,1/2),conjunction(7,1/2),conjunction(10,1/2)',
  ]);
  cache.clearOwner('rule/a');
  cache.clearOwner('rule/b');
  assert.deepEqual(commit(cache), ['modify conjunction(7,1/2)']);
  cache.remove('rule/c', clause(7));
  assert.deepEqual(commit(cache), ['delete conjunction(7,1/2)']);
  assert.deepEqual(cache.installedFlows(), []);
});

test('only touched flows are sent; an unchanged wish is no change', () => {
  const cache = new FlowCache();
  cache.setOwner('rule/a', [clause(1, '10.0.0.1'), clause(1, '10.0.0.2')]);
  assert.equal(commit(cache).length, 2);
  cache.setOwner('rule/a', [clause(1, '10.0.0.2'), clause(1, '10.0.0.3')]);
  assert.deepEqual(commit(cache).sort(), ['add conjunction(1,1/2)', 'delete conjunction(1,1/2)']);
  cache.setOwner('rule/a', [clause(1, '10.0.0.2'), clause(1, '10.0.0.3')]);
  assert.deepEqual(commit(cache), []);
});

test('owners sharing a non-conjunctive flow must agree; a conflict rolls the transaction back', () => {
  const cache = new FlowCache();
  cache.put('isolation/p1', drop(3));
  cache.put('isolation/p2', drop(3));
  assert.deepEqual(commit(cache), ['add drop']);
  cache.clearOwner('isolation/p1');
  assert.deepEqual(commit(cache), [], 'still wanted by p2');

  cache.put('other', { ...drop(3), actions: ['goto_table:105'] });
  assert.throws(() => cache.changes(), /owners isolation\/p2, other want different actions/);
  cache.abort();
  assert.deepEqual(commit(cache), []);
  assert.deepEqual(cache.ownerFlows('other'), []);
  assert.equal(cache.ownerFlows('isolation/p2').length, 1);
});

test('abort restores every owner wish of the transaction', () => {
  const cache = new FlowCache();
  cache.setOwner('rule/a', [clause(1, '10.0.0.1')]);
  commit(cache);
  cache.setOwner('rule/a', [clause(1, '10.0.0.9')]);
  cache.put('rule/b', clause(2, '10.0.0.1'));
  assert.equal(cache.changes().length, 2, 'add 10.0.0.9; 10.0.0.1 changes hands (modify)');
  cache.abort();
  assert.deepEqual(cache.owners(), ['rule/a']);
  cache.put('rule/b', clause(2, '10.0.0.1'));
  assert.deepEqual(commit(cache), ['modify conjunction(1,1/2),conjunction(2,1/2)']);
});

test('an owner of many flows removes, re-adds and restores single flows', () => {
  const cache = new FlowCache();
  const ips = Array.from({ length: 40 }, (_, i) => `10.0.1.${i}`);
  cache.setOwner(
    'rule/a',
    ips.map((ip) => clause(1, ip)),
  );
  assert.equal(commit(cache).length, 40);
  for (const ip of ips.slice(0, 30)) cache.remove('rule/a', clause(1, ip));
  cache.put('rule/a', clause(1, ips[0]));
  assert.equal(commit(cache).length, 29, 'ips[0] left and came back: no change');
  assert.equal(cache.ownerFlows('rule/a').length, 11);
  cache.clearOwner('rule/a');
  cache.abort();
  assert.equal(cache.ownerFlows('rule/a').length, 11);
  cache.clearOwner('rule/a');
  assert.equal(commit(cache).length, 11);
  assert.deepEqual(cache.installedFlows(), []);
});

test('a conjunction put as text is the same flow as put typed: a delta edits the synced flows', () => {
  const cache = new FlowCache();
  for (const direction of ['In', 'Out'] as const) {
    const conj = new ConjunctionFlows({
      id: 7,
      direction,
      table: 90,
      priority: 200,
      actionPriority: 190,
      action: 'Allow',
      hasServices: true,
    });
    const texts = new FlowTexts();
    conj.addAll(texts, ['10.0.0.5', 'any'], [3], [{ protocol: 'TCP', port: 80 }]);
    const owner = `rule/${direction}`;
    cache.setOwner(owner, texts);
    const typed = [
      conj.peer('10.0.0.5'),
      conj.peer('any'),
      conj.local(3),
      ...conj.service({ protocol: 'TCP', port: 80 }),
      conj.action(),
    ];
    assert.deepEqual(
      cache
        .changes()
        .map((c) => formatFlow(c.flow))
        .sort(),
      typed.map(formatFlow).sort(),
    );
    cache.commit();
    for (const f of typed) cache.remove(owner, f);
    assert.equal(cache.changes().length, typed.length, 'each typed flow found its text twin');
    cache.commit();
  }
  assert.deepEqual(cache.installedFlows(), []);
});
