// The event batch folds one operation's events per object, keeping the first one's place, the
// same way whether it finds them by scanning (few) or through its index (many).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBatch } from '../../src/controller/networkpolicy/events.js';

for (const filler of [0, 40]) {
  test(`events fold per object in order (${filler} other events)`, () => {
    const b = new EventBatch();
    for (let i = 0; i < filler; i++) b.add('MODIFIED', 'AddressGroup', `other-${i}`);
    b.add('ADDED', 'NetworkPolicy', 'a');
    b.add('ADDED', 'AddressGroup', 'a'); // same name, other kind: its own event
    b.add('MODIFIED', 'NetworkPolicy', 'a'); // ADDED+MODIFIED = ADDED, in place
    b.add('DELETED', 'AppliedToGroup', 'g');
    b.add('ADDED', 'AppliedToGroup', 'g'); // DELETED+ADDED = MODIFIED
    b.add('ADDED', 'NetworkPolicy', 'x');
    b.add('DELETED', 'NetworkPolicy', 'x'); // ADDED+DELETED = nothing
    b.add('ADDED', 'NetworkPolicy', 'x'); // and again: a new event at the end
    const got = b.drain().slice(filler);
    assert.deepEqual(got, [
      { type: 'ADDED', kind: 'NetworkPolicy', name: 'a' },
      { type: 'ADDED', kind: 'AddressGroup', name: 'a' },
      { type: 'MODIFIED', kind: 'AppliedToGroup', name: 'g' },
      { type: 'ADDED', kind: 'NetworkPolicy', name: 'x' },
    ]);
    assert.deepEqual(b.drain(), []);
  });
}

test('an operation whose events all fold away yields none', () => {
  const b = new EventBatch();
  b.add('ADDED', 'AddressGroup', 'g');
  b.add('DELETED', 'AddressGroup', 'g');
  assert.deepEqual(b.drain(), []);
});
