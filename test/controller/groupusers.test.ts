// A group's users: the first is kept inline, the rest in a map; both behave as one map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupState } from '../../src/controller/networkpolicy/groups.js';
import type { PolicyEntry } from '../../src/controller/networkpolicy/policyentry.js';

function policy(name: string): PolicyEntry {
  return {
    type: 'K8sNetworkPolicy',
    namespace: 'ns',
    name,
    source: { apiVersion: 'v1', kind: 'NetworkPolicy', metadata: { name } },
    internal: undefined,
    appliedTo: [],
    namedDeps: new Set(),
    namespaceDependent: false,
  };
}

const names = (ps: readonly PolicyEntry[]) => ps.map((p) => p.name).sort();

test('group users behave as one map whichever slot a policy sits in', () => {
  const g = new GroupState('g', []);
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(policy) as [
    PolicyEntry,
    PolicyEntry,
    PolicyEntry,
    PolicyEntry,
  ];
  assert.equal(g.addRef(a, 'address'), true);
  assert.equal(g.addRef(b, 'address'), false);
  assert.equal(g.addRef(b, 'appliedTo'), true);
  g.addRef(c, 'appliedTo');
  assert.deepEqual(names(g.users('address')), ['a', 'b']);
  g.dropRef(a, 'address'); // the inline slot empties while others remain
  assert.deepEqual(names(g.users('address')), ['b']);
  g.dropRef(b, 'address'); // b stays where it is, not copied into the empty slot
  assert.deepEqual(names(g.users('appliedTo')), ['b', 'c']);
  assert.equal(g.usedAs('address'), false);
  g.addRef(d, 'address'); // a new policy takes the empty slot
  assert.deepEqual(names(g.users('address')), ['d']);
  assert.equal(g.usedAs('address'), true);
  g.dropRef(b, 'appliedTo');
  g.dropRef(c, 'appliedTo');
  g.dropRef(d, 'address');
  assert.equal(g.referenced, false);
  assert.deepEqual(g.users('address'), []);
  assert.deepEqual(g.users('appliedTo'), []);
});
