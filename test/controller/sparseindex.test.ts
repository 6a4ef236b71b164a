// The label index keeps a lone value bare and a Set for more; both read alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SparseIndex } from '../../src/controller/networkpolicy/sparseindex.js';

test('sparse index: one value bare, more in a set, back to bare, then gone', () => {
  const a = { n: 'a' };
  const b = { n: 'b' };
  const idx = new SparseIndex<{ n: string }>();
  assert.equal(idx.count('k'), 0);
  assert.deepEqual([...idx.values('k')], []);
  idx.add('k', a);
  idx.add('k', a);
  assert.equal(idx.count('k'), 1);
  idx.add('k', b);
  assert.deepEqual([...idx.values('k')], [a, b]);
  idx.delete('k', a);
  assert.deepEqual([...idx.values('k')], [b]);
  idx.delete('k', a); // absent: no change
  assert.equal(idx.count('k'), 1);
  idx.delete('k', b);
  assert.equal(idx.count('k'), 0);
});
