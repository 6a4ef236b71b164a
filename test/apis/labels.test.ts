import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectorMatches, normalizeSelector, formatSelector } from '../../src/apis/labels.js';

test('matchLabels and every matchExpressions operator', () => {
  const labels = { app: 'nginx', tier: 'web' };
  assert.equal(selectorMatches({}, labels), true);
  assert.equal(selectorMatches({ matchLabels: { app: 'nginx' } }, labels), true);
  assert.equal(selectorMatches({ matchLabels: { app: 'db' } }, labels), false);
  const expr = (operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist', values?: string[]) =>
    selectorMatches({ matchExpressions: [{ key: 'tier', operator, values }] }, labels);
  assert.equal(expr('In', ['web', 'x']), true);
  assert.equal(expr('In', ['x']), false);
  assert.equal(expr('NotIn', ['web']), false);
  assert.equal(expr('NotIn', ['x']), true);
  assert.equal(expr('Exists'), true);
  assert.equal(expr('DoesNotExist'), false);
  assert.equal(
    selectorMatches(
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      labels,
    ),
    true,
  );
});

test('equal selectors written differently normalise to one key', () => {
  assert.equal(
    normalizeSelector({ matchLabels: { b: '2', a: '1' } }),
    normalizeSelector({
      matchExpressions: [
        { key: 'a', operator: 'In', values: ['1'] },
        { key: 'b', operator: 'In', values: ['2'] },
      ],
    }),
  );
  assert.equal(formatSelector({ matchLabels: { app: 'nginx' } }), 'app=nginx');
  assert.equal(formatSelector({}), '<none>');
});
