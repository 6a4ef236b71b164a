// Agent start over a running node: the pods attached before (the interface store, rebuilt from
// OVSDB) keep their addresses and get their flows installed again. Flows are only added — an
// add of a flow OVS already has replaces it in place — never deleted, so established
// connections of running pods go on while the agent restarts.
import type { InterfaceStore } from '../interfacestore/store.js';
import type { Ipam } from '../ipam/ipam.js';
import type { BatchedPodFlows } from './podflows.js';
import { podInterfaceOf } from './pods.js';

export async function restorePods(
  store: InterfaceStore,
  ipam: Ipam,
  flows: Pick<BatchedPodFlows, 'installPod'>,
  log: (msg: string) => void,
): Promise<void> {
  const pods = store.list('container');
  const { restored, released } = ipam.reconcile(
    pods.flatMap((i) => i.ips.map((ip) => ({ ip, containerId: i.containerId, ifName: i.ifDev }))),
  );
  for (const a of released)
    log(`IPAM: released ${a.ip} of ${a.containerId}: no such interface on the bridge`);
  for (const a of restored) log(`IPAM: recorded ${a.ip} of ${a.containerId} from OVSDB`);
  const attached = pods.filter((p) => p.ofport > 0);
  for (const p of pods.filter((x) => x.ofport <= 0)) {
    log(`pod ${p.podNamespace}/${p.podName}: port ${p.name} has no device; waiting for its DEL`);
  }
  // Asked for together, so they go in one bundle.
  await Promise.all(attached.map((p) => flows.installPod(podInterfaceOf(p))));
  log(`restored ${pods.length} pod interface(s)`);
}
