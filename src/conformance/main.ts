#!/usr/bin/env node
// `npm run conformance -- DIR… [--offline] [--kubeconfig PATH]`: every case under the folders,
// against the running local cluster (real traffic, model pods spread over the workers) or
// offline through the controller's computation.
import { parseArgs } from 'node:util';
import type { Node } from '../apis/index.js';
import { loadCases } from './cases.js';
import { Kubectl } from './kubectl.js';
import { LiveClusterSource } from './live.js';
import { OfflineSource } from './offline.js';
import { runCase, type MatrixSource } from './runner.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    offline: { type: 'boolean', default: false },
    kubeconfig: { type: 'string', default: process.env['KUBECONFIG'] ?? '.antrea/kubeconfig' },
  },
});
if (positionals.length === 0) {
  console.error('usage: npm run conformance -- DIR… [--offline] [--kubeconfig PATH]');
  process.exit(2);
}

async function source(): Promise<MatrixSource> {
  if (values.offline) return new OfflineSource();
  const nodes = await new Kubectl(values.kubeconfig!).json<{ items: Node[] }>(['get', 'nodes']);
  const workers = nodes.items
    .filter((n) => !('node-role.kubernetes.io/control-plane' in (n.metadata.labels ?? {})))
    .map((n) => n.metadata.name ?? '');
  return new LiveClusterSource(
    values.kubeconfig!,
    workers.length > 0 ? workers : nodes.items.map((n) => n.metadata.name ?? ''),
  );
}

const src = await source();
let failed = 0;
for (const c of loadCases(positionals)) {
  const t0 = Date.now();
  const mismatches = await runCase(c, src).catch((e: unknown) => [
    {
      step: -1,
      port: 0,
      protocol: 'TCP' as const,
      differences: [e instanceof Error ? e.message : String(e)],
    },
  ]);
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (mismatches.length === 0) {
    console.log(`PASS ${c.name} (${secs}s)`);
    continue;
  }
  failed++;
  console.log(`FAIL ${c.name} (${secs}s)`);
  for (const m of mismatches) {
    console.log(`  step ${m.step} ${m.port}/${m.protocol}:`);
    for (const d of m.differences) console.log(`    ${d}`);
  }
}
console.log(failed === 0 ? 'all cases passed' : `${failed} case(s) failed`);
process.exitCode = failed === 0 ? 0 : 1;
