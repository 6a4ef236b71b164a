// What the agent does once it knows its cluster (a kubeconfig and the controller's address):
// receive its node's policies and realize them, tunnel to the other nodes, heartbeat its
// AntreaAgentInfo, and answer antctl's agent-mode queries.
import type { Flow } from '../ovs/flow.js';
import { loadKubeConfig } from '../util/kubeclient.js';
import { AgentInfoHeartbeat } from './agentinfo/heartbeat.js';
import type { AgentApiServer } from './apiserver/server.js';
import { ControlPlaneWatcher } from './controlplane/watcher.js';
import type { InterfaceStore } from './interfacestore/store.js';
import { NetworkPolicyController } from './networkpolicy/controller.js';
import type { InterfaceLookup } from './networkpolicy/types.js';
import type { OpenflowClient } from './openflow/client.js';
import { BRIDGE_NAME } from './openflow/types.js';
import { NodeRouteWatcher } from './route/nodewatcher.js';

export interface ClusterAgentConfig {
  readonly nodeName: string;
  readonly podCIDR: string;
  readonly netns?: string;
  readonly kubeconfig: string;
  /** The controller's controlplane API, e.g. http://127.0.0.1:10349 */
  readonly controller: string;
  readonly ovsVersion: string;
}

export interface ClusterAgentParts {
  readonly store: InterfaceStore;
  readonly flows: OpenflowClient;
  readonly api: AgentApiServer;
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

function countByTable(flows: readonly Flow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of flows) counts[String(f.table)] = (counts[String(f.table)] ?? 0) + 1;
  return counts;
}

export async function startClusterAgent(
  cfg: ClusterAgentConfig,
  parts: ClusterAgentParts,
  log: (msg: string) => void,
): Promise<{ close(): void }> {
  const kc = loadKubeConfig(cfg.kubeconfig);
  const policy = new NetworkPolicyController(parts.flows, interfaceLookup(parts.store));
  const report = (what: string) => (e: unknown) =>
    log(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  parts.store.onPodChange((namespace, name) => {
    policy
      .apply([{ kind: 'PodInterface', namespace, name }])
      .catch(report('policy update for a pod'));
  });
  const watcher = new ControlPlaneWatcher({
    server: cfg.controller,
    node: cfg.nodeName,
    onEvents: (events) => policy.apply(events),
    log,
  });
  watcher.start();
  const routes = new NodeRouteWatcher(kc, cfg.nodeName, parts.flows, cfg.netns, log);
  await routes.start();
  const info = new AgentInfoHeartbeat(
    kc,
    {
      nodeName: cfg.nodeName,
      podCIDR: cfg.podCIDR,
      bridgeName: BRIDGE_NAME,
      ovsVersion: cfg.ovsVersion,
      localPodCount: () => parts.store.containers().length,
      flowCountsByTable: () => countByTable(parts.flows.installedFlows()),
      policyCounts: () => policy.counts(),
      controllerConnected: () => watcher.connected,
    },
    log,
  );
  await info.start();
  log(`antrea-agent joined the cluster: controller ${cfg.controller}`);
  return {
    close: () => {
      watcher.stop();
      routes.stop();
      info.stop();
    },
  };
}
