// StatefulSet against the real embedded API server: ordinal pods created one at a time as each
// becomes Ready, stable hostnames under the governing Service, `kubectl get sts`, scale-down
// from the highest ordinal, and a template change replacing pods from the top.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Watch, type V1Pod, type V1StatefulSet } from '@kubernetes/client-node';
import { ControllerCluster, table, until } from './cluster.js';

const NS = 'cassandra';

function cassandra(replicas: number, image = 'cassandra:4.1'): V1StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'cassandra', namespace: NS },
    spec: {
      replicas,
      serviceName: 'cassandra',
      selector: { matchLabels: { app: 'cassandra' } },
      template: {
        metadata: { labels: { app: 'cassandra' } },
        spec: {
          containers: [{ name: 'cassandra', image, ports: [{ name: 'cql', containerPort: 9042 }] }],
        },
      },
    },
  };
}

let c: ControllerCluster;

async function podNames(): Promise<string[]> {
  return (await c.pods(NS, 'app=cassandra')).map((p) => p.metadata!.name!).sort();
}

/** The kubelet's part for one pod: once scheduled, Running and Ready. */
async function run(name: string, ip: string): Promise<void> {
  await until(`${name} scheduled`, async () => {
    const pods = await c.pods(NS, `statefulset.kubernetes.io/pod-name=${name}`);
    return pods.length === 1 && !!pods[0]!.spec?.nodeName;
  });
  await c.reportPod(NS, name, ip);
}

before(async () => {
  c = await ControllerCluster.start();
  await c.addNode('worker1');
  await c.core.createNamespace({ body: { metadata: { name: NS } } });
});

after(async () => {
  await c.stop();
});

test('pods are created in ordinal order, each after the previous one is Ready', async () => {
  await c.apps.createNamespacedStatefulSet({ namespace: NS, body: cassandra(3) });
  await until('cassandra-0', async () => (await podNames()).length === 1);
  // Nothing more while cassandra-0 is not Ready.
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(await podNames(), ['cassandra-0']);

  const pod = (await c.pods(NS, 'app=cassandra'))[0]!;
  assert.equal(pod.spec!.hostname, 'cassandra-0');
  assert.equal(pod.spec!.subdomain, 'cassandra');
  assert.equal(pod.metadata!.labels!['statefulset.kubernetes.io/pod-name'], 'cassandra-0');
  assert.match(pod.metadata!.labels!['controller-revision-hash']!, /^cassandra-\w+$/);
  const owner = pod.metadata!.ownerReferences![0]!;
  assert.deepEqual([owner.kind, owner.name, owner.controller], ['StatefulSet', 'cassandra', true]);

  await run('cassandra-0', '10.10.0.10');
  await until('cassandra-1', async () => (await podNames()).length === 2);
  await run('cassandra-1', '10.10.0.11');
  await until('cassandra-2', async () => (await podNames()).length === 3);
  assert.deepEqual(await podNames(), ['cassandra-0', 'cassandra-1', 'cassandra-2']);
  await run('cassandra-2', '10.10.0.12');

  await until('3/3 ready', async () => {
    const s = await c.apps.readNamespacedStatefulSet({ namespace: NS, name: 'cassandra' });
    return s.status?.readyReplicas === 3;
  });
  const out = await c.kubectl('get', 'sts', '-n', NS);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(table(out.stdout)[1]!.slice(0, 2), ['cassandra', '3/3']);
});

test('scaling down removes the highest ordinals first', async () => {
  // The deletion order is read from a watch: polling can miss the moment between two deletions
  // on a loaded machine (cassandra-1 may go right after cassandra-2).
  const deleted: string[] = [];
  const watch = await new Watch(c.kc).watch(
    `/api/v1/namespaces/${NS}/pods`,
    {},
    (type: string, pod: V1Pod) => {
      if (type === 'DELETED') deleted.push(pod.metadata!.name!);
    },
    () => undefined,
  );
  try {
    await c.kubectl('scale', '-n', NS, 'sts/cassandra', '--replicas=1');
    await until('only cassandra-0', async () => (await podNames()).length === 1);
    assert.deepEqual(await podNames(), ['cassandra-0']);
    await until('both deletions watched', () => deleted.length === 2);
    assert.deepEqual(deleted, ['cassandra-2', 'cassandra-1']);
  } finally {
    watch.abort();
  }
  await until('status 1', async () => {
    const s = await c.apps.readNamespacedStatefulSet({ namespace: NS, name: 'cassandra' });
    return s.status?.replicas === 1 && s.status.readyReplicas === 1;
  });
});

test('a template change replaces the pods with the new revision', async () => {
  const before = await c.apps.readNamespacedStatefulSet({ namespace: NS, name: 'cassandra' });
  const oldRevision = before.status!.updateRevision!;
  const out = await c.kubectl('set', 'image', '-n', NS, 'sts/cassandra', 'cassandra=cassandra:5.0');
  assert.equal(out.code, 0, out.stderr);
  await until(
    'cassandra-0 on the new revision',
    async () => {
      const pods = await c.pods(NS, 'app=cassandra');
      const p = pods[0];
      if (p?.spec?.nodeName && p.status?.phase !== 'Running')
        await c.reportPod(NS, 'cassandra-0', '10.10.0.20');
      return pods.length === 1 && p!.spec!.containers[0]!.image === 'cassandra:5.0';
    },
    10_000,
  );
  await until('status current = update', async () => {
    const s = await c.apps.readNamespacedStatefulSet({ namespace: NS, name: 'cassandra' });
    return (
      s.status?.currentRevision === s.status?.updateRevision && s.status?.updatedReplicas === 1
    );
  });
  const s = await c.apps.readNamespacedStatefulSet({ namespace: NS, name: 'cassandra' });
  assert.notEqual(s.status!.updateRevision, oldRevision);
});
