// From a Service port's state to what the Service tables are built from on this node: its
// frontends (ClusterIPs; every node's IP with the NodePort, so a client's own node balances
// NodePort traffic as the target node would; LoadBalancer IPs) and the select groups they use.
// With externalTrafficPolicy Local, a NodePort on node N goes only to N's endpoints and a
// LoadBalancer IP only to this node's, each through a group of its own.
import type {
  ServiceEndpoint,
  ServiceFrontend,
  ServiceGroup,
  ServicePortConfig,
} from '../openflow/servicetypes.js';
import type { EndpointState, ServicePortState } from './servicestate.js';

export interface NodeAddress {
  readonly name: string;
  readonly ip: string;
}

export interface PortContext {
  /** This node's name. */
  readonly self: string;
  /** Every node of the cluster with its InternalIP. */
  readonly nodes: readonly NodeAddress[];
  /** The group id kept for a group key (allocated on first use). */
  readonly groupID: (key: string) => number;
}

export function portKey(s: Pick<ServicePortState, 'namespace' | 'name' | 'portName'>): string {
  return `${s.namespace}/${s.name}/${s.portName}`;
}

export interface RealizedPort {
  readonly config: ServicePortConfig;
  /** The keys of the groups it uses, to release when they are no longer needed. */
  readonly groupKeys: readonly string[];
}

export function portConfig(state: ServicePortState, ctx: PortContext): RealizedPort {
  const groups = new Map<string, ServiceGroup>();
  const group = (node: string | undefined): number => {
    const key = node === undefined ? portKey(state) : `${portKey(state)}@${node}`;
    const existing = groups.get(key);
    if (existing !== undefined) return existing.id;
    const eps =
      node === undefined ? state.endpoints : state.endpoints.filter((e) => e.nodeName === node);
    const g: ServiceGroup = { id: ctx.groupID(key), endpoints: eps.map((e) => endpoint(e, ctx)) };
    groups.set(key, g);
    return g.id;
  };
  const all = group(undefined);
  const frontends: ServiceFrontend[] = state.clusterIPs.map((ip) => ({
    ip,
    port: state.port,
    groupID: all,
  }));
  if (state.nodePort !== undefined) {
    for (const n of ctx.nodes) {
      const groupID = state.externalLocal ? group(n.name) : all;
      frontends.push({ ip: n.ip, port: state.nodePort, groupID });
    }
  }
  for (const ip of state.loadBalancerIPs) {
    frontends.push({ ip, port: state.port, groupID: state.externalLocal ? group(ctx.self) : all });
  }
  return {
    config: {
      protocol: state.protocol,
      frontends,
      groups: [...groups.values()],
      ...(state.affinityTimeout === undefined ? {} : { affinityTimeout: state.affinityTimeout }),
      cookie: all,
    },
    groupKeys: [...groups.keys()],
  };
}

function endpoint(e: EndpointState, ctx: PortContext): ServiceEndpoint {
  return { ip: e.ip, port: e.port, local: e.nodeName === ctx.self };
}
