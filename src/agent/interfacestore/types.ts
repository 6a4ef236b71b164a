// The interfaces of br-int that the agent knows: pods' veths, the gateway and the tunnel. One
// record per OVS port, as Antrea's InterfaceConfig; the store indexes them and OVSDB's
// external_ids persist them.

interface Common {
  /** The OVS port (and host interface) name, e.g. `nginx-de-548af9` or `antrea-gw0`. */
  readonly name: string;
  /** The Port row's uuid. */
  readonly portUUID: string;
  readonly ofport: number;
  readonly ips: readonly string[];
  readonly mac: string;
}

export interface ContainerInterface extends Common {
  readonly kind: 'container';
  readonly containerId: string;
  readonly podNamespace: string;
  readonly podName: string;
  /** The interface inside the pod (CNI_IFNAME), e.g. `eth0`. */
  readonly ifDev: string;
}

export interface GatewayInterface extends Common {
  readonly kind: 'gateway';
}

export interface TunnelInterface extends Common {
  readonly kind: 'tunnel';
}

export type InterfaceConfig = ContainerInterface | GatewayInterface | TunnelInterface;
export type InterfaceKind = InterfaceConfig['kind'];
