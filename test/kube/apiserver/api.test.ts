// The HTTP API as client libraries see it: access, errors as Status objects, list selectors
// and paging, watch (resume, bookmarks, 410 Expired, selector transitions), patch types,
// finalizers, deletion propagation and namespace termination, discovery and Tables.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Harness, until } from './harness.js';

const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const pod = (name: string, labels: Record<string, string> = {}, extra: object = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels, ...extra },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
});
const PODS = '/api/v1/namespaces/api/pods';

describe('the HTTP API', () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start({ bookmarkIntervalMs: 100 });
    assert.equal((await h.http('POST', '/api/v1/namespaces', { body: ns('api') })).status, 201);
  });
  after(async () => {
    await h.stop();
  });

  test('requests without the bearer token get 401; health and version are public', async () => {
    const r = await h.http('GET', '/api/v1/pods', { token: 'wrong' });
    assert.equal(r.status, 401);
    assert.equal(r.json().reason, 'Unauthorized');
    assert.equal((await h.http('GET', '/readyz', { token: '' })).text, 'ok');
    assert.equal((await h.http('GET', '/version', { token: '' })).json().gitVersion, 'v1.32.0');
  });

  test('errors are Status objects: NotFound, AlreadyExists, BadRequest, namespace checks', async () => {
    const missing = await h.http('GET', `${PODS}/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'pods' },
      code: 404,
    });
    const deploy = await h.http('GET', '/apis/apps/v1/namespaces/api/deployments/x');
    assert.equal(deploy.json().message, 'deployments.apps "x" not found');
    assert.equal((await h.http('POST', PODS, { body: pod('dup') })).status, 201);
    const dup = await h.http('POST', PODS, { body: pod('dup') });
    assert.equal(dup.status, 409);
    assert.equal(dup.json().reason, 'AlreadyExists');
    const noNs = await h.http('POST', '/api/v1/namespaces/ghost/pods', { body: pod('x') });
    assert.equal(noNs.status, 404);
    assert.equal(noNs.json().message, 'namespaces "ghost" not found');
    const wrongNs = await h.http('POST', PODS, {
      body: { ...pod('x'), metadata: { name: 'x', namespace: 'other' } },
    });
    assert.equal(wrongNs.status, 400);
    const invalid = await h.http('POST', PODS, { body: pod('Bad_Name') });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.json().reason, 'Invalid');
    assert.equal(invalid.json().details.causes[0].field, 'metadata.name');
    assert.equal((await h.http('GET', '/api/v1/nope')).status, 404);
  });

  test('create fills uid, creationTimestamp, resourceVersion, generation; generateName', async () => {
    const created = (
      await h.http('POST', PODS, { body: { ...pod(''), metadata: { generateName: 'gen-' } } })
    ).json();
    assert.match(created.metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(created.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(created.metadata.resourceVersion, /^\d+$/);
    assert.equal(created.status.phase, 'Pending');
    const np = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'np' },
      spec: { podSelector: {} },
    };
    const path = '/apis/networking.k8s.io/v1/namespaces/api/networkpolicies';
    const v1 = (await h.http('POST', path, { body: np })).json();
    assert.equal(v1.metadata.generation, 1);
    assert.deepEqual(v1.spec.policyTypes, ['Ingress']);
    const labelled = (
      await h.http('PATCH', `${path}/np`, {
        body: { metadata: { labels: { a: 'b' } } },
        contentType: 'application/merge-patch+json',
      })
    ).json();
    assert.equal(labelled.metadata.generation, 1, 'metadata changes keep the generation');
    assert.ok(Number(labelled.metadata.resourceVersion) > Number(v1.metadata.resourceVersion));
    const specChange = { spec: { podSelector: { matchLabels: { x: 'y' } } } };
    const v2 = (
      await h.http('PATCH', `${path}/np`, {
        body: specChange,
        contentType: 'application/merge-patch+json',
      })
    ).json();
    assert.equal(v2.metadata.generation, 2);
    const same = (
      await h.http('PATCH', `${path}/np`, {
        body: specChange,
        contentType: 'application/merge-patch+json',
      })
    ).json();
    assert.equal(
      same.metadata.resourceVersion,
      v2.metadata.resourceVersion,
      'a no-op write is not stored',
    );
  });

  test('update: 409 on a stale resourceVersion; status only through the status subresource', async () => {
    const p = (await h.http('POST', PODS, { body: pod('upd') })).json();
    const changed = {
      ...p,
      metadata: { ...p.metadata, labels: { v: '1' } },
      status: { phase: 'Running' },
    };
    const u1 = (await h.http('PUT', `${PODS}/upd`, { body: changed })).json();
    assert.equal(u1.status.phase, 'Pending', 'the main resource ignores status');
    const stale = await h.http('PUT', `${PODS}/upd`, { body: changed });
    assert.equal(stale.status, 409);
    assert.equal(stale.json().reason, 'Conflict');
    assert.match(stale.json().message, /the object has been modified/);
    const s = (
      await h.http('PUT', `${PODS}/upd/status`, { body: { ...u1, status: { phase: 'Running' } } })
    ).json();
    assert.equal(s.status.phase, 'Running');
  });

  test('patch: JSON patch, strategic merge for built-ins, 415 strategic for custom resources', async () => {
    await h.http('POST', PODS, { body: pod('pt', { a: '1' }) });
    const jp = await h.http('PATCH', `${PODS}/pt`, {
      body: [
        { op: 'add', path: '/metadata/labels/b', value: '2' },
        { op: 'remove', path: '/metadata/labels/a' },
      ],
      contentType: 'application/json-patch+json',
    });
    assert.deepEqual(jp.json().metadata.labels, { b: '2' });
    const containers = async (patch: object): Promise<string[]> => {
      const r = await h.http('PATCH', `${PODS}/pt`, {
        body: patch,
        contentType: 'application/strategic-merge-patch+json',
      });
      return r
        .json()
        .spec.containers.map((c: { name: string; image: string }) => `${c.name}:${c.image}`);
    };
    const order = { '$setElementOrder/containers': [{ name: 'c' }, { name: 'side' }] };
    assert.deepEqual(
      await containers({ spec: { ...order, containers: [{ name: 'side', image: 'x' }] } }),
      ['c:busybox', 'side:x'],
    );
    assert.deepEqual(
      await containers({ spec: { ...order, containers: [{ name: 'c', image: 'y' }] } }),
      ['c:y', 'side:x'],
    );
    assert.deepEqual(
      await containers({ spec: { containers: [{ name: 'side', $patch: 'delete' }] } }),
      ['c:y'],
    );
    const tier = await h.http('PATCH', '/apis/crd.antrea.io/v1beta1/tiers/application', {
      body: { metadata: { labels: { a: 'b' } } },
      contentType: 'application/strategic-merge-patch+json',
    });
    assert.equal(tier.status, 415);
    assert.equal(tier.json().reason, 'UnsupportedMediaType');
  });

  test('list: label and field selectors, limit and continue', async () => {
    for (const [i, tier] of ['web', 'web', 'db'].entries()) {
      await h.http('POST', PODS, {
        body: {
          ...pod(`sel-${i}`, { tier }),
          spec: { nodeName: `n${i}`, containers: [{ name: 'c', image: 'busybox' }] },
        },
      });
    }
    const names = async (q: string): Promise<string[]> =>
      (await h.http('GET', `${PODS}?${q}`))
        .json()
        .items.map((p: { metadata: { name: string } }) => p.metadata.name);
    assert.deepEqual(await names('labelSelector=tier%3Dweb'), ['sel-0', 'sel-1']);
    assert.deepEqual(
      await names(`labelSelector=${encodeURIComponent('tier in (db,x),tier!=web')}`),
      ['sel-2'],
    );
    assert.deepEqual(await names(`fieldSelector=${encodeURIComponent('spec.nodeName=n1')}`), [
      'sel-1',
    ]);
    assert.deepEqual(await names(`fieldSelector=${encodeURIComponent('metadata.name=sel-2')}`), [
      'sel-2',
    ]);
    const bad = await h.http('GET', `${PODS}?fieldSelector=spec.foo%3Dx`);
    assert.equal(bad.status, 400);
    const page1 = (await h.http('GET', `${PODS}?labelSelector=tier&limit=2`)).json();
    assert.equal(page1.items.length, 2);
    assert.equal(page1.metadata.remainingItemCount, 1);
    const page2 = (
      await h.http('GET', `${PODS}?labelSelector=tier&limit=2&continue=${page1.metadata.continue}`)
    ).json();
    assert.deepEqual(
      page2.items.map((p: { metadata: { name: string } }) => p.metadata.name),
      ['sel-2'],
    );
    assert.equal(page2.metadata.continue, undefined);
  });

  test('watch: resume from a resourceVersion, selector transitions, bookmarks', async () => {
    const start = (await h.http('GET', PODS)).json().metadata.resourceVersion;
    await h.http('POST', PODS, { body: pod('w1', { watch: 'me' }) });
    const w = await h.watch(
      `${PODS}?watch=1&resourceVersion=${start}&labelSelector=watch%3Dme&allowWatchBookmarks=true`,
    );
    try {
      await until('the replayed ADDED', () => w.events.some((e) => e.type === 'ADDED'));
      await h.http('PATCH', `${PODS}/w1`, {
        body: { metadata: { labels: { watch: 'no' } } },
        contentType: 'application/merge-patch+json',
      });
      await h.http('PATCH', `${PODS}/w1`, {
        body: { metadata: { labels: { watch: 'me' } } },
        contentType: 'application/merge-patch+json',
      });
      await h.http('DELETE', `${PODS}/w1`);
      await until(
        'four events and a bookmark',
        () =>
          w.events.some((e) => e.type === 'BOOKMARK') &&
          w.events.filter((e) => e.type !== 'BOOKMARK').length === 4,
      );
      assert.deepEqual(
        w.events.filter((e) => e.type !== 'BOOKMARK').map((e) => e.type),
        ['ADDED', 'DELETED', 'ADDED', 'DELETED'],
      );
      const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
      assert.deepEqual(
        rvs,
        [...rvs].sort((a, b) => a - b),
        'events arrive in resourceVersion order',
      );
    } finally {
      w.close();
    }
  });

  test('watch: 410 Expired once the history is compacted', async () => {
    const small = await Harness.start({ historySize: 5 });
    try {
      for (let i = 0; i < 30; i++) {
        await small.http('PATCH', '/api/v1/namespaces/default', {
          body: { metadata: { labels: { i: String(i) } } },
          contentType: 'application/merge-patch+json',
        });
      }
      const w = await small.watch('/api/v1/namespaces?watch=true&resourceVersion=1');
      await until('the error event', () => w.events.length > 0);
      assert.equal(w.events[0]!.type, 'ERROR');
      assert.equal(w.events[0]!.object.code, 410);
      assert.equal(w.events[0]!.object.reason, 'Expired');
      w.close();
    } finally {
      await small.stop();
    }
  });

  test('finalizers hold a deleted object until they are removed', async () => {
    await h.http('POST', PODS, { body: pod('fin', {}, { finalizers: ['example.com/hold'] }) });
    const del = await h.http('DELETE', `${PODS}/fin`);
    assert.equal(del.status, 202);
    const held = (await h.http('GET', `${PODS}/fin`)).json();
    assert.ok(held.metadata.deletionTimestamp);
    await h.http('PATCH', `${PODS}/fin`, {
      body: { metadata: { finalizers: null } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal((await h.http('GET', `${PODS}/fin`)).status, 404);
  });

  test('ownerReferences: background, orphan and foreground deletion', async () => {
    const rs = (name: string) => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name },
      spec: {
        selector: { matchLabels: { rs: name } },
        template: {
          metadata: { labels: { rs: name } },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    });
    const RS = '/apis/apps/v1/namespaces/api/replicasets';
    const child = (owner: { metadata: { name: string; uid: string } }, name: string) =>
      pod(
        name,
        {},
        {
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: owner.metadata.name,
              uid: owner.metadata.uid,
              blockOwnerDeletion: true,
              controller: true,
            },
          ],
        },
      );
    const exists = async (name: string) => (await h.http('GET', `${PODS}/${name}`)).status === 200;

    const bg = (await h.http('POST', RS, { body: rs('bg') })).json();
    await h.http('POST', PODS, { body: child(bg, 'bg-pod') });
    await h.http('DELETE', `${RS}/bg`);
    await until(
      'the dependent of a background delete to go',
      async () => !(await exists('bg-pod')),
    );

    const orphan = (await h.http('POST', RS, { body: rs('orphan') })).json();
    await h.http('POST', PODS, { body: child(orphan, 'orphan-pod') });
    await h.http('DELETE', `${RS}/orphan`, { body: { propagationPolicy: 'Orphan' } });
    await until(
      'the orphaning owner to go',
      async () => (await h.http('GET', `${RS}/orphan`)).status === 404,
    );
    const orphaned = (await h.http('GET', `${PODS}/orphan-pod`)).json();
    assert.equal(orphaned.metadata.ownerReferences, undefined);

    const fg = (await h.http('POST', RS, { body: rs('fg') })).json();
    await h.http('POST', PODS, { body: child(fg, 'fg-pod') });
    await h.http('DELETE', `${RS}/fg`, { body: { propagationPolicy: 'Foreground' } });
    await until(
      'owner and dependent of a foreground delete to go',
      async () => !(await exists('fg-pod')) && (await h.http('GET', `${RS}/fg`)).status === 404,
    );
  });

  test('a deleted namespace terminates, refuses new objects and takes its objects with it', async () => {
    await h.http('POST', '/api/v1/namespaces', { body: ns('doomed') });
    await h.http('POST', '/api/v1/namespaces/doomed/pods', { body: pod('p') });
    await h.http('DELETE', '/api/v1/namespaces/doomed');
    const terminating = (await h.http('GET', '/api/v1/namespaces/doomed')).json();
    assert.equal(terminating.status.phase, 'Terminating');
    const refused = await h.http('POST', '/api/v1/namespaces/doomed/pods', { body: pod('q') });
    assert.equal(refused.status, 403);
    assert.equal(refused.json().details.causes[0].reason, 'NamespaceTerminating');
    await until(
      'the namespace to go',
      async () => (await h.http('GET', '/api/v1/namespaces/doomed')).status === 404,
    );
    assert.equal((await h.http('GET', '/api/v1/namespaces/doomed/pods/p')).status, 404);
  });

  test('deletecollection with a label selector', async () => {
    await h.http('POST', PODS, { body: pod('dc-1', { dc: 'x' }) });
    await h.http('POST', PODS, { body: pod('dc-2', { dc: 'x' }) });
    const r = await h.http('DELETE', `${PODS}?labelSelector=dc%3Dx`);
    assert.equal(r.json().items.length, 2);
    assert.equal((await h.http('GET', `${PODS}?labelSelector=dc`)).json().items.length, 0);
  });

  test('discovery lists resources with short names, verbs and subresources', async () => {
    const core = (await h.http('GET', '/api/v1')).json();
    const pods = core.resources.find((r: { name: string }) => r.name === 'pods');
    assert.deepEqual(pods.shortNames, ['po']);
    assert.deepEqual(pods.categories, ['all']);
    assert.ok(core.resources.some((r: { name: string }) => r.name === 'pods/exec'));
    const groups = (await h.http('GET', '/apis'))
      .json()
      .groups.map((g: { name: string }) => g.name);
    assert.deepEqual(groups, ['apps', 'networking.k8s.io', 'crd.antrea.io']);
    const crd = (await h.http('GET', '/apis/crd.antrea.io/v1beta1')).json();
    const short = Object.fromEntries(
      crd.resources
        .filter((r: { name: string }) => !r.name.includes('/'))
        .map((r: { name: string; shortNames: string[] }) => [r.name, r.shortNames]),
    );
    assert.deepEqual(short, {
      clusternetworkpolicies: ['acnp'],
      networkpolicies: ['annp', 'anp'],
      tiers: ['tr'],
      clustergroups: ['cg'],
      groups: ['grp'],
      antreaagentinfos: ['aai'],
      antreacontrollerinfos: ['aci'],
    });
  });

  test('Tables: nodes, endpoints and AntreaAgentInfo columns', async () => {
    const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    await h.http('POST', '/api/v1/nodes', {
      body: {
        metadata: { name: 'k8s-master', labels: { 'node-role.kubernetes.io/control-plane': '' } },
        status: {
          conditions: [{ type: 'Ready', status: 'True' }],
          addresses: [{ type: 'InternalIP', address: '192.168.77.100' }],
          nodeInfo: {
            kubeletVersion: 'v1.32.0',
            osImage: 'Debian',
            kernelVersion: '6.1',
            containerRuntimeVersion: 'antrea-ts',
          },
        },
      },
    });
    const nodes = (await h.http('GET', '/api/v1/nodes', { accept: TABLE })).json();
    assert.deepEqual(
      nodes.columnDefinitions.map((c: { name: string }) => c.name),
      [
        'Name',
        'Status',
        'Roles',
        'Age',
        'Version',
        'Internal-IP',
        'External-IP',
        'OS-Image',
        'Kernel-Version',
        'Container-Runtime',
      ],
    );
    const cells = nodes.rows[0].cells;
    assert.deepEqual(
      [...cells.slice(0, 3), ...cells.slice(4)],
      [
        'k8s-master',
        'Ready',
        'control-plane',
        'v1.32.0',
        '192.168.77.100',
        '<none>',
        'Debian',
        '6.1',
        'antrea-ts',
      ],
    );
    assert.equal(nodes.rows[0].object.kind, 'PartialObjectMetadata');
    const ep = (
      await h.http('GET', '/api/v1/namespaces/default/endpoints/kubernetes', { accept: TABLE })
    ).json();
    assert.equal(ep.rows[0].cells[1], `127.0.0.1:${h.server.port}`);
    await h.http('POST', '/apis/crd.antrea.io/v1beta1/antreaagentinfos', {
      body: {
        metadata: { name: 'k8s-master' },
        version: 'v2.0.0',
        nodeRef: { kind: 'Node', name: 'k8s-master' },
        localPodNum: 3,
        nodeSubnets: ['10.10.0.0/24'],
        agentConditions: [
          { type: 'AgentHealthy', status: 'True', lastHeartbeatTime: new Date().toISOString() },
        ],
      },
    });
    const aai = (
      await h.http('GET', '/apis/crd.antrea.io/v1beta1/antreaagentinfos', { accept: TABLE })
    ).json();
    assert.deepEqual(
      aai.columnDefinitions.map((c: { name: string }) => c.name),
      ['Name', 'Healthy', 'Last Heartbeat', 'Version', 'Node', 'Num Pods', 'Subnets'],
    );
    const row = aai.rows[0].cells;
    assert.deepEqual(
      [row[0], row[1], row[3], row[4], row[5], row[6]],
      ['k8s-master', 'True', 'v2.0.0', 'k8s-master', 3, '[10.10.0.0/24]'],
    );
    assert.match(row[2], /^\d+s$/);
  });
});
