// What the agent does once it knows its cluster (a kubeconfig and the controller's address),
// besides the policy path (policyagent.ts, started first): tunnel to the other nodes, serve
// Services, heartbeat its AntreaAgentInfo, and answer antctl's agent-mode queries.
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
import type { AgentApiServer } from './apiserver/server.js';
import { traceflow } from './apiserver/traceflow.js';
import type { InterfaceStore } from './interfacestore/store.js';
import { Owner, type OpenflowClient } from './openflow/client.js';
import type { PolicyAgent } from './policyagent.js';
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

function countByTable(flows: readonly Flow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of flows) counts[String(f.table)] = (counts[String(f.table)] ?? 0) + 1;
  return counts;
}

export async function startClusterAgent(
  cfg: ClusterAgentConfig,
  parts: ClusterAgentParts,
  policyAgent: PolicyAgent,
  log: (msg: string) => void,
): Promise<{ close(): void }> {
  const { policy, received, watcher } = policyAgent;
  const kc = loadKubeConfig(cfg.kubeconfig);
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
      routes.stop();
      proxy.stop();
      info.stop();
    },
  };
}
