// Patch semantics (strategic merge, JSON merge, JSON patch), selector parsing and the AGE
// format, checked against what apimachinery does for the same inputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonPatch } from '../../../src/kube/apiserver/patch/jsonPatch.js';
import { mergePatch } from '../../../src/kube/apiserver/patch/mergePatch.js';
import { DEPLOYMENT_PATCH, POD_PATCH } from '../../../src/kube/apiserver/patch/patchMeta.js';
import { strategicMergePatch } from '../../../src/kube/apiserver/patch/strategicMerge.js';
import { humanDuration } from '../../../src/kube/apiserver/printers/duration.js';
import {
  labelSelectorString,
  labelsMatch,
  parseFieldSelector,
  parseLabelSelector,
} from '../../../src/kube/apiserver/selectors.js';

const pod = {
  metadata: { name: 'p', labels: { a: '1', b: '2' }, finalizers: ['x', 'y'] },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'nginx:1',
        ports: [{ containerPort: 80 }, { containerPort: 443 }],
        env: [{ name: 'A', value: '1' }],
      },
      { name: 'side', image: 'busybox' },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
    tolerations: [{ key: 't1' }],
  },
  status: {
    conditions: [
      { type: 'Ready', status: 'False' },
      { type: 'Initialized', status: 'True' },
    ],
  },
};

test('strategic merge: lists merge by their keys, atomic lists are replaced', () => {
  const out = strategicMergePatch(
    pod,
    {
      metadata: { labels: { b: null, c: '3' } },
      spec: {
        containers: [
          { name: 'web', ports: [{ containerPort: 8080 }], env: [{ name: 'B', value: '2' }] },
        ],
        tolerations: [{ key: 't2' }],
      },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    },
    POD_PATCH,
  ) as typeof pod;
  assert.deepEqual(out.metadata.labels, { a: '1', c: '3' });
  const web = out.spec.containers[0]!;
  // Without $setElementOrder, kube puts the patch's items first and the server's after them.
  assert.deepEqual(
    web.ports!.map((p) => p.containerPort),
    [8080, 80, 443],
  );
  assert.deepEqual(
    web.env!.map((e) => e.name),
    ['B', 'A'],
  );
  assert.equal(web.image, 'nginx:1');
  assert.equal(out.spec.containers.length, 2);
  assert.deepEqual(out.spec.tolerations, [{ key: 't2' }]);
  assert.deepEqual(out.status.conditions, [
    { type: 'Ready', status: 'True' },
    { type: 'Initialized', status: 'True' },
  ]);
});

test('strategic merge: directives as kubectl apply sends them', () => {
  const out = strategicMergePatch(
    pod,
    {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] },
      spec: {
        '$setElementOrder/containers': [{ name: 'side' }, { name: 'web' }],
        containers: [
          {
            name: 'web',
            '$setElementOrder/ports': [{ containerPort: 443 }],
            ports: [{ containerPort: 80, $patch: 'delete' }],
          },
        ],
        volumes: [{ name: 'data', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/x' } }],
      },
    },
    POD_PATCH,
  ) as typeof pod & { spec: { volumes: object[] } };
  assert.deepEqual(out.metadata.finalizers, ['y']);
  assert.deepEqual(
    out.spec.containers.map((c) => c.name),
    ['side', 'web'],
  );
  assert.deepEqual(out.spec.containers[1]!.ports, [{ containerPort: 443 }]);
  assert.deepEqual(out.spec.volumes, [{ name: 'data', hostPath: { path: '/x' } }]);
  const replaced = strategicMergePatch(
    pod,
    { spec: { containers: [{ name: 'only' }, { $patch: 'replace' }] } },
    POD_PATCH,
  ) as typeof pod;
  assert.deepEqual(replaced.spec.containers, [{ name: 'only' }]);
  const template = strategicMergePatch(
    { spec: { template: { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b' }] } } } },
    { spec: { template: { spec: { containers: [{ name: 'b', image: '2' }] } } } },
    DEPLOYMENT_PATCH,
  );
  assert.deepEqual(template, {
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'a', image: '1' },
            { name: 'b', image: '2' },
          ],
        },
      },
    },
  });
});

test('JSON merge patch and JSON patch', () => {
  assert.deepEqual(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] }), {
    a: { c: 2, d: 3 },
    l: [3],
  });
  assert.deepEqual(
    jsonPatch({ a: [1, 2], m: { 'x/y': 1 } }, [
      { op: 'add', path: '/a/-', value: 3 },
      { op: 'replace', path: '/m/x~1y', value: 2 },
      { op: 'move', from: '/a/0', path: '/first' },
      { op: 'test', path: '/first', value: 1 },
    ]),
    { a: [2, 3], m: { 'x/y': 2 }, first: 1 },
  );
  assert.throws(
    () => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]),
    /testing value \/a failed/,
  );
});

test('label and field selectors', () => {
  const sel = parseLabelSelector('app=web, tier in (a,b),!legacy,env!=prod,team');
  assert.equal(labelsMatch(sel, { app: 'web', tier: 'b', team: 'x' }), true);
  assert.equal(labelsMatch(sel, { app: 'web', tier: 'c', team: 'x' }), false);
  assert.equal(labelsMatch(sel, { app: 'web', tier: 'a', team: 'x', legacy: '1' }), false);
  assert.equal(labelsMatch(sel, { app: 'web', tier: 'a', team: 'x', env: 'prod' }), false);
  assert.deepEqual(parseFieldSelector('spec.nodeName=,status.phase!=Failed'), [
    { key: 'spec.nodeName', op: '=', values: [''] },
    { key: 'status.phase', op: '!=', values: ['Failed'] },
  ]);
  assert.equal(
    labelSelectorString({
      matchLabels: { z: '1', app: 'x' },
      matchExpressions: [{ key: 'm', operator: 'NotIn', values: ['b', 'a'] }],
    }),
    'app=x,m notin (a,b),z=1',
  );
});

test('AGE reads as kube prints it', () => {
  const s = 1000;
  assert.deepEqual(
    [5, 119, 150, 600, 3 * 3600 + 5 * 60, 30 * 3600, 5 * 86400 + 3 * 3600, 400 * 86400].map((x) =>
      humanDuration(x * s),
    ),
    ['5s', '119s', '2m30s', '10m', '3h5m', '30h', '5d3h', '400d'],
  );
});
