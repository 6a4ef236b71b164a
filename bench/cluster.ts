// The local cluster as a whole, on a cluster of its own (test/cluster's harness):
// - cluster-up: `up` to every node Ready and Antrea Running (no installs, no build).
// - cluster-realization-{policy-apply,policy-delete,label-add,label-remove}: from the start of
//   `kubectl apply|delete|label` to the moment a probe from a pod on the other worker sees the
//   new verdict for good (probe-*), over 20 runs alternating the direction between the
//   workers. Next to it, when the server node's flows were first seen changed (ovs-*, polled
//   with ovs-ofctl every 20 ms; an upper bound): a probe far behind it would be the datapath
//   revalidating its flow cache late; and how long kubectl itself took (and the probe's figure
//   minus that).
// - cluster-memory-idle / cluster-memory-300-pods: RSS of each component, idle after `up` and
//   with 300 more pods (`sleep` containers: the components' memory, not the pods', is measured);
//   how long those took to be Ready, and `down` with them.
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../src/apis/index.js';
import type { NodeSpec } from '../src/cluster/layout.js';
import { TestCluster } from '../test/cluster/harness.js';
import { ProbeLoop } from '../test/cluster/probeloop.js';
import { rssMb } from '../test/cluster/procs.js';
import { median, percentile, report } from './report.js';

const RUNS = 20;
const EXTRA_PODS = 300;
const FLOW_POLL_MS = 20;
const NS = 'bench';

/** A node's flows, polled from just before a change: when did they first differ? */
class FlowWatch {
  private readonly samples: { t: number; flows: string }[] = [];
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly c: TestCluster,
    node: NodeSpec,
    private readonly before: string,
  ) {
    this.loop = this.poll(node);
  }

  private async poll(node: NodeSpec): Promise<void> {
    while (!this.stopped) {
      const flows = (await this.c.flows(node)).join('\n');
      this.samples.push({ t: Date.now(), flows });
      await sleep(FLOW_POLL_MS);
    }
  }

  /**
   * Stops once a sample taken after `t` exists; resolves with when the first sample that
   * differed from `before` was read (the change was in OVS by then).
   */
  async firstChange(t: number): Promise<number> {
    while ((this.samples.at(-1)?.t ?? 0) <= t) await sleep(5);
    this.stopped = true;
    await this.loop;
    const hit = this.samples.find((s) => s.flows !== this.before);
    if (!hit) throw new Error('the flows never changed');
    return hit.t;
  }
}

interface Sample {
  readonly probe: number;
  readonly ovs: number;
  readonly kubectl: number;
}

/** One change: how long until OVS had it and until the probe saw `verdict` for good. */
async function measure(
  c: TestCluster,
  loop: ProbeLoop,
  node: NodeSpec,
  verdict: boolean,
  change: () => Promise<unknown>,
): Promise<Sample> {
  const watch = new FlowWatch(c, node, (await c.flows(node)).join('\n'));
  const t0 = Date.now();
  await change();
  const kubectl = Date.now() - t0;
  const seen = await loop.until(verdict, t0, 30_000);
  const ovs = await watch.firstChange(Date.now());
  return { probe: seen - t0, ovs: ovs - t0, kubectl };
}

function reportSamples(bench: string, samples: readonly Sample[]): void {
  const series = {
    probe: samples.map((s) => s.probe),
    ovs: samples.map((s) => s.ovs),
    // kubectl's own start and round trips are much of the figure: what remains after it exits.
    'probe-after-kubectl': samples.map((s) => s.probe - s.kubectl),
  };
  for (const [name, xs] of Object.entries(series)) {
    report(bench, `${name}-p50-ms`, percentile(xs, 50));
    report(bench, `${name}-p99-ms`, percentile(xs, 99));
  }
  report(bench, 'kubectl-p50-ms', median(samples.map((s) => s.kubectl)));
}

function reportMemory(bench: string, c: TestCluster): void {
  let total = 0;
  for (const { name, pid } of c.components()) {
    const mb = rssMb(pid) ?? 0;
    total += mb;
    report(bench, `${name}-rss-mb`, mb);
  }
  report(bench, 'total-rss-mb', total);
}

function pod(name: string, node: NodeSpec, labels: Record<string, string>, server: boolean) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels },
    spec: {
      nodeName: node.name,
      containers: [
        server
          ? { name: 'server', image: 'agnhost', ports: [{ containerPort: 80 }] }
          : { name: 'client', image: 'busybox', command: ['sleep', 'infinity'] },
      ],
    },
  };
}

function networkPolicy(name: string, podSelector: object, ingress: object[]) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: NS },
    spec: { podSelector, policyTypes: ['Ingress'], ingress },
  };
}

async function realization(c: TestCluster): Promise<void> {
  const apply = (...objects: object[]) =>
    c.kubectl.run(
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
    );
  const [w1, w2] = c.workers as [NodeSpec, NodeSpec];
  await c.kubectl.run(['create', 'namespace', NS]);
  await apply(
    pod('srv-1', w1, { app: 'srv', name: 'srv-1' }, true),
    pod('srv-2', w2, { app: 'srv', name: 'srv-2' }, true),
    pod('cli-1', w1, { access: 'no' }, false),
    pod('cli-2', w2, { access: 'no' }, false),
  );
  await c.kubectl.run([
    'wait',
    '--for=condition=Ready',
    'pod',
    '--all',
    '-n',
    NS,
    '--timeout=120s',
  ]);
  const ip = async (name: string) =>
    (
      await c.kubectl.json<KubeObject & { status: { podIP: string } }>([
        'get',
        'pod',
        '-n',
        NS,
        name,
      ])
    ).status.podIP;
  // Across the workers, both ways: the client on one, the server (and the policy) on the other.
  const pairs = [
    { client: 'cli-1', server: 'srv-2', node: w2 },
    { client: 'cli-2', server: 'srv-1', node: w1 },
  ];
  const loops: ProbeLoop[] = [];
  for (const p of pairs)
    loops.push(
      new ProbeLoop(
        `${p.client} → ${p.server}`,
        c.podNetns(NS, p.client),
        await ip(p.server),
        80,
        'TCP',
        {
          intervalMs: 20,
          timeoutMs: 500,
        },
      ),
    );
  try {
    const since = Date.now();
    for (const l of loops) await l.until(true, since, 30_000);
    const samples: Record<string, Sample[]> = {
      'policy-apply': [],
      'policy-delete': [],
      'label-add': [],
      'label-remove': [],
    };
    for (let i = 0; i < RUNS; i++) {
      const p = pairs[i % 2]!;
      const loop = loops[i % 2]!;
      const deny = networkPolicy(`deny-${p.server}`, { matchLabels: { name: p.server } }, []);
      samples['policy-apply']!.push(await measure(c, loop, p.node, false, () => apply(deny)));
      samples['policy-delete']!.push(
        await measure(c, loop, p.node, true, () =>
          c.kubectl.run(['delete', 'networkpolicy', '-n', NS, `deny-${p.server}`]),
        ),
      );
    }
    const t = Date.now();
    await apply(
      networkPolicy('allow-access', { matchLabels: { app: 'srv' } }, [
        { from: [{ podSelector: { matchLabels: { access: 'yes' } } }] },
      ]),
    );
    for (const l of loops) await l.until(false, t, 30_000);
    const label = (name: string, value: string) => () =>
      c.kubectl.run(['label', 'pod', '-n', NS, name, `access=${value}`, '--overwrite']);
    for (let i = 0; i < RUNS; i++) {
      const p = pairs[i % 2]!;
      const loop = loops[i % 2]!;
      samples['label-add']!.push(await measure(c, loop, p.node, true, label(p.client, 'yes')));
      samples['label-remove']!.push(await measure(c, loop, p.node, false, label(p.client, 'no')));
    }
    for (const [kind, xs] of Object.entries(samples))
      reportSamples(`cluster-realization-${kind}`, xs);
  } finally {
    await Promise.all(loops.map((l) => l.stop()));
  }
}

async function withExtraPods(c: TestCluster): Promise<void> {
  const t0 = Date.now();
  await c.kubectl.run(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'load', namespace: 'default' },
      spec: {
        replicas: EXTRA_PODS,
        selector: { matchLabels: { app: 'load' } },
        template: {
          metadata: { labels: { app: 'load' } },
          spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', 'infinity'] }] },
        },
      },
    }),
  );
  await c.deploymentReady('default', 'load', EXTRA_PODS, 20 * 60_000, 2000);
  report('cluster-300-pods', 'ready-s', (Date.now() - t0) / 1000);
  await sleep(10_000); // the agents' and controllers' follow-up work settles
  reportMemory('cluster-memory-300-pods', c);
}

export async function run(): Promise<void> {
  report('cluster', 'loadavg-per-core', loadavg()[0] / cpus().length);
  const c = await TestCluster.create(2);
  try {
    report('cluster-up', 's', (await c.up()) / 1000);
    await c.tracked(async () => {
      await sleep(5000);
      reportMemory('cluster-memory-idle', c);
      await realization(c);
      await withExtraPods(c);
    });
  } finally {
    const t0 = Date.now();
    await c.teardown();
    report('cluster-down', 's', (Date.now() - t0) / 1000);
  }
}
