// What the agent does once it knows its cluster (a kubeconfig and the controller's address):
// receive its node's policies and realize them, tunnel to the other nodes, heartbeat its
// AntreaAgentInfo, and answer antctl's agent-mode queries.
import type { OvsDaemons } from '../ovs/daemons.js';
import type { Flow } from '../ovs/flow.js';
import { Ofctl } from '../ovs/ofctl.js';
import { trace } from '../ovs/trace.js';
import { loadKubeConfig } from '../util/kubeclient.js';
import {
  AgentInfoHeartbeat,
  agentInfoOf,
  agentPodName,
  type AgentInfoSource,
} from './agentinfo/heartbeat.js';
import { ovsFlows } from './apiserver/ovsflows.js';
import { ReceivedPolicies } from './apiserver/received.js';
import type { AgentApiServer } from './apiserver/server.js';
import { traceflow } from './apiserver/traceflow.js';
import { ControlPlaneWatcher } from './controlplane/watcher.js';
import type { InterfaceStore } from './interfacestore/store.js';
import { NetworkPolicyController } from './networkpolicy/controller.js';
import type { InterfaceLookup } from './networkpolicy/types.js';
import { Owner, type OpenflowClient } from './openflow/client.js';
import { BRIDGE_NAME } from './openflow/types.js';
import { startProxy } from './proxy/start.js';
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
  readonly ovs: OvsDaemons;
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
  const routes = new NodeRouteWatcher(kc, cfg.nodeName, parts.flows, cfg.netns, log);
  await routes.start();
  const proxy = await startProxy({
    kc,
    flows: parts.flows,
    nodeName: cfg.nodeName,
    netns: cfg.netns,
    log,
  });
  const infoSource: AgentInfoSource = {
    nodeName: cfg.nodeName,
    podCIDR: cfg.podCIDR,
    bridgeName: BRIDGE_NAME,
    ovsVersion: cfg.ovsVersion,
    localPodCount: () => parts.store.containers().length,
    flowCountsByTable: () => countByTable(parts.flows.installedFlows()),
    policyCounts: () => policy.counts(),
    controllerConnected: () => watcher.connected,
  };
  const info = new AgentInfoHeartbeat(kc, infoSource, log);
  await info.start();

  // antctl's agent-mode endpoints.
  const ofctl = new Ofctl({ target: parts.ovs.mgmtSocket(BRIDGE_NAME) });
  const portName = (ofport: number): string | undefined => parts.store.getByOfport(ofport)?.name;
  const localPod = (namespace: string, name: string) => parts.store.getByPod(namespace, name)[0];
  let agentPod: string | undefined;
  parts.api
    .route('/networkpolicies', () => received.networkPolicies())
    .route('/addressgroups', () => received.addressGroupList())
    .route('/appliedtogroups', () => received.appliedToGroupList())
    .route('/agentinfo', async () => {
      agentPod ??= await agentPodName(kc, cfg.nodeName);
      return agentInfoOf(infoSource, agentPod, new Date());
    })
    .route('/ovsflows', (q) =>
      ovsFlows(
        {
          dumpFlows: (table) => ofctl.dumpFlows(table === undefined ? {} : { table }),
          annotate: (dumped) => parts.flows.annotate(dumped),
          podFlows: (namespace, name) =>
            localPod(namespace, name) && parts.flows.ownerFlows(Owner.pod(namespace, name)),
          policyFlows: (namespace, name) => {
            const uid = received.policyUID(namespace, name);
            return uid === undefined ? undefined : policy.policyFlows(uid);
          },
          portName,
        },
        q,
      ),
    )
    .route('/traceflow', (q) =>
      traceflow(
        {
          node: cfg.nodeName,
          nextHopMAC: (ip) => {
            const local = parts.store.getByIP(ip);
            return local?.kind === 'container' ? local.mac : parts.flows.config.gateway.mac;
          },
          localPod: (namespace, name) => {
            const pod = localPod(namespace, name);
            return pod && { ip: pod.ips[0]!, mac: pod.mac, ofport: pod.ofport, port: pod.name };
          },
          portName,
          trace: (packet) =>
            trace({ vswitchdCtl: parts.ovs.vswitchdCtl, bridge: BRIDGE_NAME, flow: packet }),
        },
        q,
      ),
    );
  log(`antrea-agent joined the cluster: controller ${cfg.controller}`);
  return {
    close: () => {
      watcher.stop();
      routes.stop();
      proxy.stop();
      info.stop();
    },
  };
}
