// What the pipeline is built from: the node's own ports and addresses, its local pods, and the
// other nodes it tunnels to. Names and constants are those of Antrea and the seed.

export const BRIDGE_NAME = 'br-int';
export const GATEWAY_PORT_NAME = 'antrea-gw0';
export const TUNNEL_PORT_NAME = 'antrea-tun0';
/** Destination MAC of routed packets between nodes; the receiving node rewrites it. */
export const GLOBAL_VIRTUAL_MAC = 'aa:bb:cc:dd:ee:ff';
/** The conntrack zone of all pod traffic. */
export const CT_ZONE = 65520;

export interface GatewayConfig {
  readonly ofport: number;
  readonly ip: string;
  readonly mac: string;
}

export interface NodeConfig {
  readonly gateway: GatewayConfig;
  /** Absent on a node without the tunnel port (single-node setups). */
  readonly tunnelOFPort?: number;
  /**
   * Run the Antrea-native policy tier tables (45-49, 85-89) before 50/90 (Antrea's AntreaPolicy
   * feature gate). Off, the pipeline is exactly the seed's (L2Forwarding → goto_table:90) and
   * Antrea-native rules are not reached.
   */
  readonly antreaPolicy: boolean;
}

/** One local pod's OVS port, as the interface store holds it. */
export interface PodInterface {
  readonly namespace: string;
  readonly podName: string;
  /** The OVS port name, e.g. `nginx-de-481c4a`. */
  readonly ifName: string;
  readonly ofport: number;
  readonly ips: readonly string[];
  readonly mac: string;
}

/** Another node: its pods are reached through the tunnel. */
export interface RemoteNode {
  readonly name: string;
  readonly podCIDR: string;
  /** The underlay address the Geneve packets go to (tun_dst). */
  readonly nodeIP: string;
  /** That node's antrea-gw0 address, answered by the ARP responder (first address of podCIDR). */
  readonly gatewayIP: string;
}
