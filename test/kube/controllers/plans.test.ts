// The controllers' pure decisions: template hashes, PodCIDR blocks, placement, rolling-update
// arithmetic, StatefulSet ordering, scale-down victims and Endpoints packing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, StatefulSet } from '../../../src/apis/apps.js';
import type { Node, Pod, Service } from '../../../src/apis/core.js';
import { CidrSet } from '../../../src/kube/controllers/cidrSet.js';
import {
  fenceposts,
  newReplicaSetSize,
  oldReplicaSetSizes,
} from '../../../src/kube/controllers/deploymentPlan.js';
import { endpointSubsets } from '../../../src/kube/controllers/endpointSubsets.js';
import { podsToDelete } from '../../../src/kube/controllers/replicaSetPlan.js';
import { placePod, tolerates } from '../../../src/kube/controllers/schedulePlan.js';
import { planStatefulSet, REVISION_LABEL } from '../../../src/kube/controllers/statefulSetPlan.js';
import { templateHash } from '../../../src/kube/controllers/templateHash.js';

test('template hashes ignore key order, use kube’s safe alphabet and change with collisionCount', () => {
  const a = templateHash({
    metadata: { labels: { app: 'nginx', tier: 'web' } },
    spec: { containers: [] },
  });
  const b = templateHash({
    spec: { containers: [] },
    metadata: { labels: { tier: 'web', app: 'nginx' } },
  });
  assert.equal(a, b);
  assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.notEqual(templateHash({ spec: {} }, 1), templateHash({ spec: {} }));
});

test('PodCIDR blocks: lowest free first, existing ones kept, foreign ones ignored, then full', () => {
  const set = new CidrSet('10.10.0.0/22', 24);
  assert.equal(set.occupy('10.10.1.0/24'), true);
  assert.equal(set.occupy('10.11.0.0/24'), false);
  assert.equal(set.occupy('10.10.2.0/23'), false);
  assert.deepEqual(
    [set.allocate(), set.allocate(), set.allocate(), set.allocate()],
    ['10.10.0.0/24', '10.10.2.0/24', '10.10.3.0/24', undefined],
  );
  assert.throws(() => new CidrSet('10.10.0.0/16', 8), /does not fit/);
});

const node = (name: string, extra: Partial<Node> = {}): Node => ({
  metadata: { name, labels: {} },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
  ...extra,
});

test('placement: fewest pods wins, ties by name; tolerations match key, value and effect', () => {
  const pod: Pod = { metadata: { name: 'p' }, spec: { containers: [] } };
  const counts: Record<string, number> = { a: 2, b: 1, c: 1 };
  assert.deepEqual(
    placePod(pod, [node('a'), node('c'), node('b')], (n) => counts[n] ?? 0),
    { node: 'b' },
  );
  const taint = { key: 'dedicated', value: 'infra', effect: 'NoSchedule' } as const;
  assert.equal(tolerates([{ operator: 'Exists' }], taint), true);
  assert.equal(
    tolerates([{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }], taint),
    true,
  );
  assert.equal(tolerates([{ key: 'dedicated', value: 'other' }], taint), false);
  assert.equal(
    tolerates([{ key: 'dedicated', value: 'infra', effect: 'NoExecute' }], taint),
    false,
  );
  const soft = node('soft', { spec: { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] } });
  assert.deepEqual(
    placePod(pod, [soft], () => 0),
    { node: 'soft' },
  );
  assert.deepEqual(
    placePod(pod, [], () => 0),
    { message: '0/0 nodes are available.' },
  );
});

test('rolling update arithmetic follows kube (3 replicas: maxSurge 1, maxUnavailable 0)', () => {
  const d: Deployment = { metadata: { name: 'd' }, spec: { replicas: 3 } };
  assert.deepEqual(fenceposts(d), { surge: 1, unavailable: 0 });
  assert.deepEqual(fenceposts({ ...d, spec: { replicas: 3, strategy: { type: 'Recreate' } } }), {
    surge: 0,
    unavailable: 0,
  });
  assert.deepEqual(
    fenceposts({
      ...d,
      spec: { replicas: 10, strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } },
    }),
    { surge: 0, unavailable: 1 },
  );
  const old = (replicas: number, available = replicas) => ({ name: 'old', replicas, available });
  // The new ReplicaSet may add one pod above 3.
  assert.equal(newReplicaSetSize(3, 1, 0, [old(3)]), 1);
  assert.equal(newReplicaSetSize(3, 1, 1, [old(3)]), 1);
  assert.equal(newReplicaSetSize(3, 1, 5, []), 3);
  // The old one shrinks only once the new pod is available…
  assert.deepEqual(
    oldReplicaSetSizes(3, 0, { name: 'new', replicas: 1, available: 0 }, [old(3)]),
    new Map(),
  );
  assert.deepEqual(
    oldReplicaSetSizes(3, 0, { name: 'new', replicas: 1, available: 1 }, [old(3)]),
    new Map([['old', 2]]),
  );
  // With maxUnavailable 1, one pod may go before the new one is available.
  assert.deepEqual(
    oldReplicaSetSizes(3, 1, { name: 'new', replicas: 1, available: 0 }, [old(3, 2)]),
    new Map([['old', 2]]),
  );
  assert.deepEqual(
    oldReplicaSetSizes(3, 1, { name: 'new', replicas: 3, available: 3 }, [old(2)]),
    new Map([['old', 0]]),
  );
});

const ready = (name: string, extra: Partial<NonNullable<Pod['status']>> = {}): Pod => ({
  metadata: { name, labels: { [REVISION_LABEL]: 'r1' } },
  spec: { containers: [], nodeName: 'n' },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], ...extra },
});

test('StatefulSet: in order one at a time, Parallel all at once, down from the top, updates from the top', () => {
  const sts = (
    replicas: number,
    extra: Partial<NonNullable<StatefulSet['spec']>> = {},
  ): StatefulSet => ({
    metadata: { name: 'db' },
    spec: { replicas, ...extra },
  });
  const plan = (s: StatefulSet, pods: Pod[], rev = 'r1') => {
    const a = planStatefulSet(s, pods, rev);
    return { create: a.create, delete: a.delete.map((p) => p.metadata.name) };
  };
  assert.deepEqual(plan(sts(3), []), { create: [0], delete: [] });
  assert.deepEqual(plan(sts(3), [ready('db-0', { conditions: [] })]), { create: [], delete: [] });
  assert.deepEqual(plan(sts(3), [ready('db-0')]), { create: [1], delete: [] });
  assert.deepEqual(plan(sts(3, { podManagementPolicy: 'Parallel' }), []), {
    create: [0, 1, 2],
    delete: [],
  });
  assert.deepEqual(plan(sts(1), [ready('db-0'), ready('db-1'), ready('db-2')]), {
    create: [],
    delete: ['db-2'],
  });
  assert.deepEqual(plan(sts(2), [ready('db-0'), ready('db-1')], 'r2'), {
    create: [],
    delete: ['db-1'],
  });
  const partitioned = sts(2, { updateStrategy: { rollingUpdate: { partition: 2 } } });
  assert.deepEqual(plan(partitioned, [ready('db-0'), ready('db-1')], 'r2'), {
    create: [],
    delete: [],
  });
  assert.deepEqual(plan(sts(2), [ready('db-0', { phase: 'Failed' }), ready('db-1')]), {
    create: [],
    delete: ['db-0'],
  });
});

test('scale-down victims: unscheduled, then pending, then not ready, then the newest', () => {
  const at = (name: string, t: string, pod: Partial<Pod> = {}): Pod => ({
    ...ready(name),
    ...pod,
    metadata: { name, creationTimestamp: t },
  });
  const pods = [
    at('old-ready', '2024-01-01T00:00:00Z'),
    at('new-ready', '2024-01-02T00:00:00Z'),
    at('not-ready', '2024-01-01T00:00:00Z', { status: { phase: 'Running', conditions: [] } }),
    at('pending', '2024-01-01T00:00:00Z', { status: { phase: 'Pending' } }),
    at('unscheduled', '2024-01-01T00:00:00Z', {
      spec: { containers: [] },
      status: { phase: 'Pending' },
    }),
  ];
  assert.deepEqual(
    podsToDelete(pods, 5).map((p) => p.metadata.name),
    ['unscheduled', 'pending', 'not-ready', 'new-ready', 'old-ready'],
  );
  assert.deepEqual(podsToDelete(pods, 0), []);
});

test('Endpoints: headless without ports, publishNotReadyAddresses, unresolvable named ports', () => {
  const svc = (spec: NonNullable<Service['spec']>): Service => ({
    metadata: { name: 'svc', namespace: 'ns' },
    spec,
  });
  const pod = (name: string, ip: string, isReady: boolean): Pod => ({
    metadata: { name, namespace: 'ns', uid: name, labels: { app: 'x' } },
    spec: {
      containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 80 }] }],
      hostname: name,
      subdomain: 'svc',
    },
    status: {
      phase: 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False' }],
    },
  });
  const pods = [pod('b', '10.0.0.10', true), pod('a', '10.0.0.9', false), pod('c', '', true)];
  const headless = endpointSubsets(svc({ clusterIP: 'None', selector: { app: 'x' } }), pods);
  assert.deepEqual(
    headless.map((s) => [
      s.addresses?.map((a) => `${a.ip}/${a.hostname}`),
      s.notReadyAddresses?.map((a) => a.ip),
      s.ports,
    ]),
    [[['10.0.0.10/b'], ['10.0.0.9'], undefined]],
  );
  const published = endpointSubsets(
    svc({
      selector: { app: 'x' },
      publishNotReadyAddresses: true,
      ports: [{ port: 80, targetPort: 'http' }],
    }),
    pods,
  );
  assert.deepEqual(
    published[0]!.addresses!.map((a) => a.ip),
    ['10.0.0.9', '10.0.0.10'],
  );
  assert.deepEqual(
    endpointSubsets(
      svc({ selector: { app: 'x' }, ports: [{ port: 80, targetPort: 'nope' }] }),
      pods,
    ),
    [],
  );
});
