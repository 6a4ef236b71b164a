// The controller's computation is incremental: each input change yields events for exactly the
// objects that changed, and the objects agents get have the expected shape and span.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkPolicyController } from '../../src/controller/networkpolicy/controller.js';
import type { ControlPlaneEvent } from '../../src/controller/networkpolicy/events.js';
import { modelNamespace, modelPod } from '../../src/conformance/model.js';
import type { KubeObject } from '../../src/apis/index.js';

const np = (name: string, ns: string, app: string, from: string): KubeObject =>
  ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns },
    spec: {
      podSelector: { matchLabels: { app } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: from } } }] }],
    },
  }) as KubeObject;

const kinds = (evs: readonly ControlPlaneEvent[]) => evs.map((e) => `${e.type} ${e.kind}`).sort();

function cluster() {
  const c = new NetworkPolicyController();
  c.apply(modelNamespace('default'));
  c.apply(modelNamespace('other'));
  c.apply(modelPod('default', 'web-1', { ip: '10.1.0.2', node: 'n1', labels: { app: 'nginx' } }));
  c.apply(modelPod('default', 'web-2', { ip: '10.1.1.2', node: 'n2', labels: { app: 'nginx' } }));
  c.apply(
    modelPod('default', 'client', { ip: '10.1.1.3', node: 'n2', labels: { app: 'busybox' } }),
  );
  return c;
}

test('a policy creates its groups once; a second policy with the same selectors shares them', () => {
  const c = cluster();
  const first = c.apply(np('nginx-allow', 'default', 'nginx', 'nginx'));
  assert.deepEqual(kinds(first), [
    'ADDED AddressGroup',
    'ADDED AppliedToGroup',
    'ADDED NetworkPolicy',
  ]);
  const second = c.apply(np('nginx-allow-2', 'default', 'nginx', 'nginx'));
  assert.deepEqual(kinds(second), ['ADDED NetworkPolicy']);
  const snap = c.snapshot();
  assert.equal(snap.appliedToGroups.length, 1);
  assert.equal(snap.addressGroups.length, 1);
  const policy = snap.networkPolicies[0]!;
  assert.equal(policy.rules[0]!.from.addressGroups![0], snap.addressGroups[0]!.metadata.name);
  assert.deepEqual([...c.spanOf('NetworkPolicy', policy.metadata.name)].sort(), ['n1', 'n2']);
});

test('a pod label change touches only the groups whose members change', () => {
  const c = cluster();
  c.apply(np('nginx-allow', 'default', 'nginx', 'nginx'));
  c.apply(np('busybox-allow', 'default', 'busybox', 'busybox'));
  const evs = c.apply(
    modelPod('default', 'client', { ip: '10.1.1.3', node: 'n2', labels: { app: 'nginx' } }),
  );
  // client leaves the busybox groups and joins the nginx ones: 4 group updates, no policy change.
  assert.deepEqual(kinds(evs), [
    'MODIFIED AddressGroup',
    'MODIFIED AddressGroup',
    'MODIFIED AppliedToGroup',
    'MODIFIED AppliedToGroup',
  ]);
  // A label that no selector reads changes nothing.
  const none = c.apply(
    modelPod('default', 'client', { ip: '10.1.1.3', node: 'n2', labels: { app: 'nginx', x: 'y' } }),
  );
  assert.deepEqual(none, []);
});

test('a namespace label change re-evaluates namespace-selector groups only', () => {
  const c = cluster();
  c.apply({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'from-team', namespace: 'default' },
    spec: {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }] }],
    },
  } as KubeObject);
  c.apply(modelPod('other', 'p', { ip: '10.1.2.2', node: 'n1', labels: {} }));
  const evs = c.apply(modelNamespace('other', { team: 'a' }));
  assert.deepEqual(kinds(evs), ['MODIFIED AddressGroup']);
  const ag = c.snapshot().addressGroups[0]!;
  assert.deepEqual(
    ag.groupMembers.map((m) => m.pod.name),
    ['p'],
  );
});

test('a policy update changing one rule emits one policy event; deleting releases the groups', () => {
  const c = cluster();
  c.apply(np('nginx-allow', 'default', 'nginx', 'nginx'));
  const upd = c.apply(np('nginx-allow', 'default', 'nginx', 'busybox'));
  assert.deepEqual(kinds(upd), [
    'ADDED AddressGroup',
    'DELETED AddressGroup',
    'MODIFIED NetworkPolicy',
  ]);
  const del = c.delete(np('nginx-allow', 'default', 'nginx', 'busybox'));
  assert.deepEqual(kinds(del), [
    'DELETED AddressGroup',
    'DELETED AppliedToGroup',
    'DELETED NetworkPolicy',
  ]);
  assert.deepEqual(c.snapshot(), { networkPolicies: [], addressGroups: [], appliedToGroups: [] });
});

test('ACNP tiers, priorities and ClusterGroup references', () => {
  const c = cluster();
  c.apply({
    apiVersion: 'crd.antrea.io/v1beta1',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'drop-to-cg' },
    spec: {
      tier: 'SecurityOps',
      priority: 2.5,
      appliedTo: [{ podSelector: { matchLabels: { app: 'busybox' } } }],
      egress: [{ action: 'Drop', to: [{ group: 'web' }] }],
    },
  } as KubeObject);
  let p = c.snapshot().networkPolicies[0]!;
  assert.equal(p.tierPriority, 100);
  assert.equal(p.priority, 2.5);
  assert.deepEqual(p.rules[0]!.to.addressGroups, ['web']);
  assert.equal(c.getAddressGroup('web')!.groupMembers.length, 0);
  const evs = c.apply({
    apiVersion: 'crd.antrea.io/v1beta1',
    kind: 'ClusterGroup',
    metadata: { name: 'web' },
    spec: {
      podSelector: { matchLabels: { app: 'nginx' } },
      ipBlocks: [{ cidr: '192.168.0.0/24' }],
    },
  } as KubeObject);
  assert.deepEqual(kinds(evs), ['MODIFIED AddressGroup', 'MODIFIED NetworkPolicy']);
  p = c.snapshot().networkPolicies[0]!;
  assert.deepEqual(p.rules[0]!.to.ipBlocks, [{ cidr: '192.168.0.0/24' }]);
  assert.equal(c.getAddressGroup('web')!.groupMembers.length, 2);
});

test('a policy seen before its namespace and pods still gets them as members', () => {
  const c = new NetworkPolicyController();
  c.apply(np('early', 'late-ns', 'web', 'client'));
  c.apply(modelPod('late-ns', 'web-1', { ip: '10.1.3.2', node: 'n1', labels: { app: 'web' } }));
  assert.equal(c.snapshot().appliedToGroups[0]!.groupMembers.length, 0, 'no namespace yet');
  const evs = c.apply(modelNamespace('late-ns'));
  assert.deepEqual(kinds(evs), ['MODIFIED AppliedToGroup']);
  assert.deepEqual(
    c.snapshot().appliedToGroups[0]!.groupMembers.map((m) => m.pod.name),
    ['web-1'],
  );
});
