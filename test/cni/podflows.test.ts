import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowChange } from '../../src/ovs/ofctl.js';
import { Owner, OpenflowClient } from '../../src/agent/openflow/client.js';
import { BatchedPodFlows } from '../../src/agent/cniserver/podflows.js';
import type { PodInterface } from '../../src/agent/openflow/types.js';

/** An OpenflowClient whose bundles wait until released, and may be made to fail. */
function slowSwitch(): {
  client: OpenflowClient;
  bundles: FlowChange[][];
  release(fail?: boolean): void;
} {
  const gates: ((fail: boolean) => void)[] = [];
  const bundles: FlowChange[][] = [];
  const client = new OpenflowClient(
    {
      applyBundle: (changes) =>
        new Promise<void>((resolve, reject) => {
          bundles.push([...changes]);
          gates.push((fail) => (fail ? reject(new Error('OVS said no')) : resolve()));
        }),
    },
    { gateway: { ofport: 2, ip: '10.10.0.1', mac: '02:00:00:00:00:01' }, antreaPolicy: false },
  );
  const release = (fail = false): void => gates.shift()?.(fail);
  return { client, bundles, release };
}

const pod = (i: number): PodInterface => ({
  namespace: 'ns',
  podName: `p${i}`,
  ifName: `p${i}-host`,
  ofport: 10 + i,
  ips: [`10.10.0.${10 + i}`],
  mac: `02:00:00:00:00:${(10 + i).toString(16)}`,
});

/** Lets queued microtasks and promise callbacks run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

test('a lone change goes at once; changes that come meanwhile share the next bundle', async () => {
  const { client, bundles, release } = slowSwitch();
  const flows = new BatchedPodFlows(client);
  const first = flows.installPod(pod(0));
  await settle();
  assert.equal(bundles.length, 1);
  const rest = [1, 2, 3].map((i) => flows.installPod(pod(i)));
  const removed = flows.uninstallPod('ns', 'p2');
  await settle();
  assert.equal(bundles.length, 1, 'the others wait for the bundle on its way');
  release();
  await first;
  await settle();
  assert.equal(bundles.length, 2, 'then they go together');
  release();
  await Promise.all([...rest, removed]);
  for (const i of [0, 1, 3]) assert.ok(client.ownerFlows(Owner.pod('ns', `p${i}`)).length > 0);
  assert.deepEqual(client.ownerFlows(Owner.pod('ns', 'p2')), [], 'the later change wins');
});

test('a bundle OVS refuses fails every change in it, and the next batch still goes', async () => {
  const { client, bundles, release } = slowSwitch();
  const flows = new BatchedPodFlows(client);
  const both = [flows.installPod(pod(0)), flows.installPod(pod(1))];
  await settle();
  assert.equal(bundles.length, 1, 'asked for in one turn: one bundle');
  release(true);
  for (const p of both) await assert.rejects(p, /OVS said no/);
  assert.deepEqual(client.ownerFlows(Owner.pod('ns', 'p0')), []);
  const again = flows.installPod(pod(0));
  await settle();
  release();
  await again;
  assert.ok(client.ownerFlows(Owner.pod('ns', 'p0')).length > 0);
});
