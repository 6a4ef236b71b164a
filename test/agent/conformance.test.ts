// Every shared conformance case on real traffic: the 9 model pods on one node's bridge, the
// controller's computation feeding the agent, reachability probed with real TCP/UDP packets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { loadCases } from '../../src/conformance/cases.js';
import { runCase } from '../../src/conformance/runner.js';
import { SingleNodeSource } from './matrixsource.js';

const dirs = [
  'test/fixtures/conformance',
  'test/fixtures/conformance-extra',
  ...[process.env['CONFORMANCE_DIR'] ?? '../shared/conformance'].filter((d) => existsSync(d)),
];

let source: SingleNodeSource;
before(async () => {
  source = await SingleNodeSource.start('ofcf');
});
after(async () => {
  await source?.stop();
});

const seen = new Set<string>();
for (const c of loadCases(dirs)) {
  if (seen.has(c.name)) continue;
  seen.add(c.name);
  test(`conformance (single node, real traffic): ${c.name}`, async () => {
    const mismatches = await runCase(c, source);
    assert.deepEqual(mismatches, [], JSON.stringify(mismatches, null, 1));
  });
}
