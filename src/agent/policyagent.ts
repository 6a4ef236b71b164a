// The agent's policy path in a cluster: the controlplane watch of its node's span, realized by
// the NetworkPolicy reconciler as the pods' interfaces come and go. It imports nothing of
// @kubernetes/client-node (loading it takes 0.5-2 s here), so a restarted agent follows the
// controller again before the rest of the cluster agent (clusteragent.ts) has loaded.
import { ReceivedPolicies } from './apiserver/received.js';
import { ControlPlaneWatcher } from './controlplane/watcher.js';
import type { InterfaceStore } from './interfacestore/store.js';
import { NetworkPolicyController } from './networkpolicy/controller.js';
import type { InterfaceLookup } from './networkpolicy/types.js';
import type { OpenflowClient } from './openflow/client.js';

export interface PolicyAgent {
  readonly policy: NetworkPolicyController;
  /** What the controller sent, as antctl's agent-mode queries show it. */
  readonly received: ReceivedPolicies;
  readonly watcher: ControlPlaneWatcher;
}

/** The interface store as the policy reconciler reads it. */
export function interfaceLookup(store: InterfaceStore): InterfaceLookup {
  return {
    podInterface: (namespace, name) => {
      const c = store.getByPod(namespace, name)[0];
      return (
        c && { namespace, podName: name, ifName: c.name, ofport: c.ofport, ips: c.ips, mac: c.mac }
      );
    },
  };
}

/** Starts watching `controller` (e.g. http://127.0.0.1:10349) for this node's policies. */
export function startPolicyAgent(
  cfg: { readonly nodeName: string; readonly controller: string },
  parts: { readonly store: InterfaceStore; readonly flows: OpenflowClient },
  log: (msg: string) => void,
): PolicyAgent {
  const policy = new NetworkPolicyController(parts.flows, interfaceLookup(parts.store));
  parts.store.onPodChange((namespace, name) => {
    policy
      .apply([{ kind: 'PodInterface', namespace, name }])
      .catch((e: unknown) =>
        log(`policy update for a pod: ${e instanceof Error ? e.message : String(e)}`),
      );
  });
  const received = new ReceivedPolicies();
  const watcher = new ControlPlaneWatcher({
    server: cfg.controller,
    node: cfg.nodeName,
    onEvents: (events) => {
      received.apply(events);
      return policy.apply(events);
    },
    log,
  });
  watcher.start();
  return { policy, received, watcher };
}
