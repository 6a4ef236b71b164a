// Every shared conformance case, offline: the controller's computation + reference evaluation.
// Reads the folders (the repo's copy, plus ../shared/conformance or $CONFORMANCE_DIR when present).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { loadCases } from '../../src/conformance/cases.js';
import { runCase } from '../../src/conformance/runner.js';
import { OfflineSource } from '../../src/conformance/offline.js';

const dirs = [
  'test/fixtures/conformance',
  'test/fixtures/conformance-extra',
  ...[process.env['CONFORMANCE_DIR'] ?? '../shared/conformance'].filter((d) => existsSync(d)),
];
const seen = new Set<string>();
for (const c of loadCases(dirs)) {
  if (seen.has(c.name)) continue;
  seen.add(c.name);
  test(`conformance (offline): ${c.name}`, async () => {
    const mismatches = await runCase(c, new OfflineSource());
    assert.deepEqual(mismatches, [], JSON.stringify(mismatches, null, 1));
  });
}
