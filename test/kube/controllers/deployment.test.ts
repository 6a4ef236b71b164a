// Deployment → ReplicaSet → Pods against the real embedded API server: kube's names and
// ownerReferences, scheduling onto Ready nodes, scaling, a template change rolling over to a
// new ReplicaSet, the READY column of `kubectl get deploy`, and cascading deletion.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { V1Deployment } from '@kubernetes/client-node';
import { ControllerCluster, table, until } from './cluster.js';

const NS = 'default';
const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';

function nginx(replicas: number, image = 'nginx:1.25'): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx-deployment', namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

let c: ControllerCluster;
let nextIP = 10;

/** Reports every scheduled, not yet running pod of the Deployment Running and Ready. */
async function runPods(): Promise<void> {
  for (const p of await c.pods(NS, 'app=nginx')) {
    if (p.spec?.nodeName && p.status?.phase !== 'Running') {
      await c.reportPod(NS, p.metadata!.name!, `10.10.0.${nextIP++}`);
    }
  }
}

before(async () => {
  c = await ControllerCluster.start();
  await c.addNode('control-plane', {
    labels: { 'node-role.kubernetes.io/control-plane': '' },
    taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
  });
  await c.addNode('worker1');
  await c.addNode('worker2');
  await c.addNode('worker3', { ready: false });
});

after(async () => {
  await c.stop();
});

test('a Deployment makes a ReplicaSet and pods named like kube, spread over Ready workers', async () => {
  await c.apps.createNamespacedDeployment({ namespace: NS, body: nginx(3) });
  await until(
    '3 scheduled pods',
    async () => (await c.pods(NS, 'app=nginx')).filter((p) => p.spec?.nodeName).length === 3,
  );

  const rsList = (await c.apps.listNamespacedReplicaSet({ namespace: NS })).items;
  assert.equal(rsList.length, 1);
  const rs = rsList[0]!;
  const hash = rs.metadata!.labels!['pod-template-hash']!;
  assert.match(hash, new RegExp(`^${SAFE}+$`));
  assert.equal(rs.metadata!.name, `nginx-deployment-${hash}`);
  assert.equal(rs.metadata!.ownerReferences![0]!.kind, 'Deployment');
  assert.equal(rs.metadata!.ownerReferences![0]!.controller, true);
  assert.equal(rs.spec!.selector.matchLabels!['pod-template-hash'], hash);

  const pods = await c.pods(NS, 'app=nginx');
  for (const p of pods) {
    assert.match(p.metadata!.name!, new RegExp(`^nginx-deployment-${hash}-${SAFE}{5}$`));
    assert.equal(p.metadata!.labels!['pod-template-hash'], hash);
    const owner = p.metadata!.ownerReferences![0]!;
    assert.deepEqual(
      [owner.kind, owner.name, owner.controller],
      ['ReplicaSet', rs.metadata!.name, true],
    );
  }
  const nodes = pods.map((p) => p.spec!.nodeName!).sort();
  // Fewest pods first over the two Ready, untainted workers: 2 + 1.
  assert.ok(
    nodes.every((n) => n === 'worker1' || n === 'worker2'),
    nodes.join(),
  );
  assert.ok(nodes.includes('worker1') && nodes.includes('worker2'), nodes.join());
  const scheduled = pods[0]!.status!.conditions!.find((x) => x.type === 'PodScheduled');
  assert.equal(scheduled?.status, 'True');
});

test('kubectl get deploy shows READY once the pods report Ready', async () => {
  let out = await c.kubectl('get', 'deploy', 'nginx-deployment');
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(table(out.stdout)[1]!.slice(0, 4), ['nginx-deployment', '0/3', '3', '0']);

  await runPods();
  await until('3 available', async () => {
    const d = await c.apps.readNamespacedDeployment({ namespace: NS, name: 'nginx-deployment' });
    return d.status?.availableReplicas === 3;
  });
  out = await c.kubectl('get', 'deploy', 'nginx-deployment');
  assert.deepEqual(table(out.stdout)[1]!.slice(0, 4), ['nginx-deployment', '3/3', '3', '3']);
  out = await c.kubectl(
    'wait',
    '--for=condition=Available',
    'deploy/nginx-deployment',
    '--timeout=5s',
  );
  assert.equal(out.code, 0, out.stderr);
});

test('scaling up and down changes the ReplicaSet and its pods', async () => {
  await c.kubectl('scale', 'deploy/nginx-deployment', '--replicas=5');
  await until('5 pods', async () => (await c.pods(NS, 'app=nginx')).length === 5);
  await runPods();
  await c.kubectl('scale', 'deploy/nginx-deployment', '--replicas=2');
  await until('2 pods', async () => (await c.pods(NS, 'app=nginx')).length === 2, 30_000);
  await until('status 2/2', async () => {
    const d = await c.apps.readNamespacedDeployment({ namespace: NS, name: 'nginx-deployment' });
    return (
      d.status?.replicas === 2 && d.status.readyReplicas === 2 && d.status.updatedReplicas === 2
    );
  });
});

test('a template change rolls over to a new ReplicaSet and scales the old one to zero', async () => {
  const before = (await c.apps.listNamespacedReplicaSet({ namespace: NS })).items[0]!;
  const out = await c.kubectl('set', 'image', 'deploy/nginx-deployment', 'nginx=nginx:1.27');
  assert.equal(out.code, 0, out.stderr);
  // Each round: new pods get scheduled, report Ready, and the rollout moves on.
  await until(
    'rollout done',
    async () => {
      await runPods();
      const d = await c.apps.readNamespacedDeployment({ namespace: NS, name: 'nginx-deployment' });
      const pods = await c.pods(NS, 'app=nginx');
      return (
        d.status?.updatedReplicas === 2 &&
        d.status.replicas === 2 &&
        d.status.availableReplicas === 2 &&
        pods.length === 2 &&
        pods.every((p) => p.spec!.containers[0]!.image === 'nginx:1.27')
      );
    },
    15_000,
  );
  const rsList = (await c.apps.listNamespacedReplicaSet({ namespace: NS })).items;
  assert.equal(rsList.length, 2);
  const old = rsList.find((rs) => rs.metadata!.name === before.metadata!.name)!;
  const next = rsList.find((rs) => rs.metadata!.name !== before.metadata!.name)!;
  assert.equal(old.spec!.replicas, 0);
  assert.equal(next.spec!.replicas, 2);
  assert.equal(next.metadata!.annotations!['deployment.kubernetes.io/revision'], '2');
  const d = await c.apps.readNamespacedDeployment({ namespace: NS, name: 'nginx-deployment' });
  assert.equal(d.metadata!.annotations!['deployment.kubernetes.io/revision'], '2');
  const status = await c.kubectl('rollout', 'status', 'deploy/nginx-deployment', '--timeout=5s');
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /successfully rolled out/);
});

test('deleting the Deployment removes its ReplicaSets and pods (ownerReferences)', async () => {
  const out = await c.kubectl('delete', 'deploy', 'nginx-deployment');
  assert.equal(out.code, 0, out.stderr);
  await until('no pods, no ReplicaSets', async () => {
    const rs = (await c.apps.listNamespacedReplicaSet({ namespace: NS })).items;
    return rs.length === 0 && (await c.pods(NS, 'app=nginx')).length === 0;
  });
  assert.deepEqual(
    c.logs.filter((l) => !/409|conflict|Conflict/.test(l)),
    [],
  );
});
