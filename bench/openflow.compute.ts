// Flow computation alone, in the shape of Antrea's BenchmarkBatchInstallPolicyRuleFlows
// (pkg/agent/openflow/network_policy_test.go): 100 ingress rules, each with 250 unique source
// IPs plus 250 IPs common to all rules, and 2 destination ofports. Antrea: 169 ms, 56 MB per op.
// Here: controlplane objects in, the bundle's flow changes out (rule cache, reconciler, flow
// cache with shared conjunctive flows), OVS replaced by a sink that keeps the changes.
import type { PolicyEvent } from '../src/agent/networkpolicy/controller.js';
import { NetworkPolicyController } from '../src/agent/networkpolicy/controller.js';
import { OpenflowClient } from '../src/agent/openflow/client.js';
import type { PodInterface } from '../src/agent/openflow/types.js';
import type { FlowChange } from '../src/ovs/ofctl.js';
import { ingressPolicyEvent } from './policyevent.js';
import { median, report } from './report.js';

const BENCH = 'openflow-compute-100-rules';
const RULES = 100;
const UNIQUE = 250;
const COMMON = 250;
const ITERATIONS = 10;

const ip = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const member = (name: string, address: string) => ({
  pod: { name, namespace: 'bench' },
  ips: [address],
});

const pods: PodInterface[] = [10, 11].map((ofport) => ({
  namespace: 'bench',
  podName: `dst-${ofport}`,
  ifName: `dst-${ofport}`,
  ofport,
  ips: [ip(200_000 + ofport)],
  mac: `02:00:00:00:00:${ofport.toString(16).padStart(2, '0')}`,
}));

/** The controlplane objects of the benchmark's 100 rules. */
export function events(): PolicyEvent[] {
  const out: PolicyEvent[] = [
    {
      kind: 'AppliedToGroup',
      type: 'upsert',
      object: {
        metadata: { name: 'atg' },
        groupMembers: pods.map((p) => member(p.podName, p.ips[0])),
      },
    },
    {
      kind: 'AddressGroup',
      type: 'upsert',
      object: {
        metadata: { name: 'common' },
        groupMembers: Array.from({ length: COMMON }, (_, i) =>
          member(`common-${i}`, ip(100_000 + i)),
        ),
      },
    },
  ];
  for (let r = 0; r < RULES; r++) {
    out.push({
      kind: 'AddressGroup',
      type: 'upsert',
      object: {
        metadata: { name: `unique-${r}` },
        groupMembers: Array.from({ length: UNIQUE }, (_, i) =>
          member(`u-${r}-${i}`, ip(r * UNIQUE + i)),
        ),
      },
    });
    out.push(ingressPolicyEvent(`np-${r}`, ['common', `unique-${r}`], 'atg'));
  }
  return out;
}

function gc(): void {
  // --expose-gc is set by bench/run.ts; without it the memory figure is only less exact.
  (globalThis as { gc?: () => void }).gc?.();
}

/** One op on a fresh agent; its state dies with the call, so the next op starts clean. */
async function once(input: readonly PolicyEvent[]) {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let changes: readonly FlowChange[] = [];
  const client = new OpenflowClient(
    { applyBundle: async (c) => void (changes = c) },
    { gateway: { ofport: 2, ip: '10.10.0.1', mac: '02:00:00:00:00:01' }, antreaPolicy: true },
  );
  const controller = new NetworkPolicyController(client, {
    podInterface: (_ns, name) => pods.find((p) => p.podName === name),
  });
  const [start, cpuStart] = [performance.now(), process.cpuUsage()];
  await controller.apply(input);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpuStart);
  gc();
  const retainedMB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  if (controller.counts().networkPolicies !== RULES) throw new Error('policies lost');
  return { ms, cpuMs: (used.user + used.system) / 1000, flows: changes.length, retainedMB };
}

export async function run(): Promise<void> {
  const input = events();
  const ops = [];
  for (let i = 0; i < ITERATIONS; i++) ops.push(await once(input));
  report(BENCH, 'ms', median(ops.map((o) => o.ms)));
  // CPU time (GC threads included): steadier than wall time on a shared machine.
  report(BENCH, 'cpu-ms', median(ops.map((o) => o.cpuMs)));
  report(BENCH, 'flows', ops[0].flows);
  // What the agent keeps for these rules (rule cache, realized state, flow cache).
  report(BENCH, 'retained-heap-MB', median(ops.map((o) => o.retainedMB)));
}
