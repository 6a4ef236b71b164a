// Node IPAM and the scheduler against the real embedded API server: PodCIDRs cut from the
// cluster CIDR and derived again from the Nodes after a restart; pods bound to the fitting
// Node with the fewest pods, and an unschedulable pod told why (kube's message).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { STRATEGIC_PATCH } from '../../../src/kube/controllers/api.js';
import { ControllerCluster, until } from './cluster.js';

let c: ControllerCluster;

async function podCIDR(node: string): Promise<string | undefined> {
  const n = await c.core.readNode({ name: node });
  assert.deepEqual(n.spec?.podCIDRs ?? [], n.spec?.podCIDR ? [n.spec.podCIDR] : []);
  return n.spec?.podCIDR;
}

async function waitCIDR(node: string): Promise<string> {
  await until(`${node} podCIDR`, async () => (await podCIDR(node)) !== undefined);
  return (await podCIDR(node))!;
}

function pod(name: string, extra: Partial<NonNullable<V1Pod['spec']>> = {}): V1Pod {
  return { metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...extra } };
}

async function nodeOf(name: string): Promise<string | undefined> {
  return (await c.core.readNamespacedPod({ namespace: 'default', name })).spec?.nodeName;
}

before(async () => {
  c = await ControllerCluster.start({ controllers: ['nodeipam', 'scheduler'] });
});

after(async () => {
  await c.stop();
});

test('each Node gets the next /24 of the cluster CIDR, and keeps it across restarts', async () => {
  await c.addNode('node-a');
  assert.equal(await waitCIDR('node-a'), '10.10.0.0/24');
  await c.addNode('node-b');
  await c.addNode('node-c');
  const b = await waitCIDR('node-b');
  const cc = await waitCIDR('node-c');
  assert.deepEqual([b, cc].sort(), ['10.10.1.0/24', '10.10.2.0/24']);

  // With the controllers down, node-a goes and node-d comes: the restarted allocator reads
  // the blocks in use from the Nodes, so node-d gets node-a's freed block and no one moves.
  await c.stopControllers();
  await c.core.deleteNode({ name: 'node-a' });
  await c.addNode('node-d');
  await c.startControllers({ controllers: ['nodeipam', 'scheduler'] });
  assert.equal(await waitCIDR('node-d'), '10.10.0.0/24');
  assert.equal(await podCIDR('node-b'), b);
  assert.equal(await podCIDR('node-c'), cc);
});

test('a pod whose nodeSelector fits no Node waits, with the reason, until one fits', async () => {
  await c.core.createNamespacedPod({
    namespace: 'default',
    body: pod('picky', { nodeSelector: { disk: 'ssd' } }),
  });
  await until('PodScheduled=False', async () => {
    const p = await c.core.readNamespacedPod({ namespace: 'default', name: 'picky' });
    return (
      p.status?.conditions?.some((x) => x.type === 'PodScheduled' && x.status === 'False') ?? false
    );
  });
  const p = await c.core.readNamespacedPod({ namespace: 'default', name: 'picky' });
  const cond = p.status!.conditions!.find((x) => x.type === 'PodScheduled')!;
  assert.equal(cond.reason, 'Unschedulable');
  assert.equal(
    cond.message,
    "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
  );
  assert.equal(p.spec!.nodeName, undefined);

  const out = await c.kubectl('label', 'node', 'node-c', 'disk=ssd');
  assert.equal(out.code, 0, out.stderr);
  await until('picky bound', async () => (await nodeOf('picky')) === 'node-c');
  await until('PodScheduled=True', async () => {
    const q = await c.core.readNamespacedPod({ namespace: 'default', name: 'picky' });
    const cond = q.status?.conditions?.find((x) => x.type === 'PodScheduled');
    return cond?.status === 'True' && cond.reason === undefined && cond.message === undefined;
  });
});

test('a burst of pods spreads evenly (fewest pods first); other schedulers’ pods are left alone', async () => {
  const names = ['p1', 'p2', 'p3', 'p4', 'p5'];
  await Promise.all(
    names.map((n) => c.core.createNamespacedPod({ namespace: 'default', body: pod(n) })),
  );
  await c.core.createNamespacedPod({
    namespace: 'default',
    body: pod('custom', { schedulerName: 'my-scheduler' }),
  });
  await until('all bound', async () =>
    (await Promise.all(names.map(nodeOf))).every((n) => n !== undefined),
  );
  const counts = new Map<string, number>();
  for (const p of (await c.core.listNamespacedPod({ namespace: 'default' })).items) {
    if (p.spec?.nodeName) counts.set(p.spec.nodeName, (counts.get(p.spec.nodeName) ?? 0) + 1);
  }
  // 6 pods (picky + 5) over 3 nodes.
  assert.deepEqual([...counts.values()], [2, 2, 2], JSON.stringify([...counts]));
  assert.equal(await nodeOf('custom'), undefined);
});

test('NotReady, unschedulable and tainted Nodes get no pods; a toleration lets a pod in', async () => {
  await c.kubectl('cordon', 'node-b');
  await c.kubectl('taint', 'node', 'node-c', 'dedicated=infra:NoSchedule');
  await c.core.patchNodeStatus(
    { name: 'node-d', body: { status: { conditions: [{ type: 'Ready', status: 'False' }] } } },
    STRATEGIC_PATCH,
  );
  await c.core.createNamespacedPod({ namespace: 'default', body: pod('stuck') });
  await until('stuck is unschedulable', async () => {
    const p = await c.core.readNamespacedPod({ namespace: 'default', name: 'stuck' });
    return (
      p.status?.conditions?.some((x) => x.type === 'PodScheduled' && x.status === 'False') ?? false
    );
  });
  const p = await c.core.readNamespacedPod({ namespace: 'default', name: 'stuck' });
  assert.equal(
    p.status!.conditions!.find((x) => x.type === 'PodScheduled')!.message,
    "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: infra}, 1 node(s) were unschedulable, 1 node(s) weren't ready.",
  );
  const tolerations = [
    { key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' },
  ];
  await c.core.createNamespacedPod({ namespace: 'default', body: pod('infra', { tolerations }) });
  await until('infra on node-c', async () => (await nodeOf('infra')) === 'node-c');
});
