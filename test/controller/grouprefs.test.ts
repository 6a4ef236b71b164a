// A group's users: the first is kept inline, the rest in a map; both behave as one map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupRefs } from '../../src/controller/networkpolicy/grouprefs.js';

test('group refs behave as one map whichever slot a policy sits in', () => {
  const refs = new GroupRefs();
  refs.set('a', 1);
  refs.set('b', 3);
  refs.set('c', 2);
  assert.equal(refs.size, 3);
  assert.deepEqual(refs.with(1).sort(), ['a', 'b']);
  refs.set('a', 0); // the inline slot empties while others remain
  assert.equal(refs.get('a'), 0);
  refs.set('b', 2); // b stays where it is, not copied into the empty slot
  assert.deepEqual(refs.with(2).sort(), ['b', 'c']);
  assert.equal(refs.size, 2);
  refs.set('d', 1); // a new policy takes the empty slot
  assert.equal(refs.get('d'), 1);
  assert.equal(refs.size, 3);
  for (const p of ['b', 'c', 'd']) refs.set(p, 0);
  assert.equal(refs.size, 0);
  assert.deepEqual(refs.with(3), []);
});
