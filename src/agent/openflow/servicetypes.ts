// What the Service tables are built from: one Service port as AntreaProxy realizes it — the
// addresses it answers on (ClusterIP, each node's IP for the NodePort, LoadBalancer IPs), the
// select group each of them load-balances through, and the endpoints of those groups.

/** Marks the conntrack entries of Service connections (Antrea's ServiceCTMark). */
export const SERVICE_CT_MARK = 0x21;
/**
 * A pod that reaches itself through a Service sees this source instead of its own address
 * (Antrea's hairpin virtual IP), so its reply comes back into OVS to be un-NATed.
 */
export const HAIRPIN_VIRTUAL_IP = '169.254.169.252';

export type ServiceProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServiceEndpoint {
  readonly ip: string;
  readonly port: number;
  /** A pod of this node: it may reach itself through the Service (hairpin). */
  readonly local: boolean;
}

/** One address:port where the Service port answers, and the group that picks the endpoint. */
export interface ServiceFrontend {
  readonly ip: string;
  readonly port: number;
  readonly groupID: number;
}

export interface ServiceGroup {
  readonly id: number;
  readonly endpoints: readonly ServiceEndpoint[];
}

export interface ServicePortConfig {
  readonly protocol: ServiceProtocol;
  readonly frontends: readonly ServiceFrontend[];
  /** Every group a frontend names (all endpoints; per node for externalTrafficPolicy Local). */
  readonly groups: readonly ServiceGroup[];
  /** sessionAffinity ClientIP: seconds a client keeps its endpoint; absent without affinity. */
  readonly affinityTimeout?: number;
  /** Cookie of the affinity flows learned for this port, so they go when it goes. */
  readonly cookie: number;
}
