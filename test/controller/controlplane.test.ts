// The controlplane API: each agent's stream carries exactly its node's span, incrementally, and
// a reconnecting agent gets deletes for what vanished while it was away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkPolicyController } from '../../src/controller/networkpolicy/controller.js';
import { ControlPlaneServer } from '../../src/controller/apiserver/server.js';
import { ControlPlaneWatcher } from '../../src/agent/controlplane/watcher.js';
import type { PolicyEvent } from '../../src/agent/networkpolicy/controller.js';
import { modelNamespace, modelPod } from '../../src/conformance/model.js';
import type { KubeObject } from '../../src/apis/index.js';

const policy: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'nginx-allow', namespace: 'default', uid: 'np-1' },
  spec: {
    podSelector: { matchLabels: { app: 'nginx' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
  },
} as KubeObject;

const summary = (evs: readonly PolicyEvent[]) =>
  evs.map((e) => `${e.kind}:${'type' in e ? e.type : ''}`).sort();

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

test('span per node, incremental events, resync after reconnect', async () => {
  const c = new NetworkPolicyController();
  c.apply(modelNamespace('default'));
  c.apply(modelPod('default', 'web', { ip: '10.0.1.2', node: 'n1', labels: { app: 'nginx' } }));
  c.apply(modelPod('default', 'client', { ip: '10.0.2.2', node: 'n2', labels: { app: 'client' } }));
  c.apply(policy);

  let server = new ControlPlaneServer(c);
  const port = await server.listen(0);
  const got: Record<string, PolicyEvent[][]> = { n1: [], n2: [] };
  const watchers = ['n1', 'n2'].map(
    (node) =>
      new ControlPlaneWatcher({
        server: `http://127.0.0.1:${port}`,
        node,
        onEvents: async (evs) => void got[node]!.push([...evs]),
      }),
  );
  try {
    for (const w of watchers) w.start();
    await Promise.all(watchers.map((w) => w.synced));
    assert.deepEqual(summary(got['n1']!.flat()), [
      'AddressGroup:upsert',
      'AppliedToGroup:upsert',
      'NetworkPolicy:upsert',
    ]);
    assert.deepEqual(got['n2']!.flat(), []);
    assert.deepEqual(watchers[0]!.counts(), {
      networkPolicies: 1,
      addressGroups: 1,
      appliedToGroups: 1,
    });

    // A second nginx pod on n2 brings the policy and its groups to n2, and n1 sees a member change.
    got['n1'] = [];
    c.apply(modelPod('default', 'web2', { ip: '10.0.2.3', node: 'n2', labels: { app: 'nginx' } }));
    await until(
      () => got['n2']!.flat().length === 3 && got['n1']!.flat().length === 1,
      'span growth',
    );
    assert.deepEqual(summary(got['n1']!.flat()), ['AppliedToGroup:upsert']);

    // The controller goes away; meanwhile the policy is deleted; the agents resync on return.
    await server.close();
    c.delete(policy);
    got['n1'] = [];
    server = new ControlPlaneServer(c);
    await server.listen(port);
    await until(() => got['n1']!.flat().length === 3, 'resync deletes');
    assert.deepEqual(summary(got['n1']!.flat()), [
      'AddressGroup:delete',
      'AppliedToGroup:delete',
      'NetworkPolicy:delete',
    ]);
    assert.equal(got['n1']!.flat()[0]!.kind, 'NetworkPolicy', 'the policy goes before its groups');
  } finally {
    for (const w of watchers) w.stop();
    await server.close();
  }
});
