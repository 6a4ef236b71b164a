// Node bootstrap: br-int (userspace netdev datapath, fail_mode=secure so only our flows
// forward), antrea-gw0 (internal) with the gateway address — which also gives the node its
// route to the PodCIDR — and antrea-tun0 (Geneve, remote_ip=flow key=flow csum=true); then the
// interface store, from the bridge's ports as OVSDB records them. Every
// step is idempotent: a restarted agent runs it again over the running bridge without touching
// pod ports or traffic.
import { run } from '../../util/exec.js';
import type { Vsctl } from '../../ovs/vsctl.js';
import { nodePortExternalIds } from '../interfacestore/externalids.js';
import { InterfaceStore } from '../interfacestore/store.js';
import type { PodSubnet } from '../ipam/subnet.js';
import { GATEWAY_PORT_NAME, TUNNEL_PORT_NAME, type NodeConfig } from '../openflow/types.js';

export interface BootstrapOptions {
  readonly bridge: string;
  readonly subnet: PodSubnet;
  /** The node's network namespace by name; absent: the agent's own. */
  readonly netns?: string;
  readonly tunnel: 'geneve' | 'none';
  /** `netdev` (userspace) unless the OVS kernel module is there and `system` is asked for. */
  readonly datapathType: 'netdev' | 'system';
  readonly antreaPolicy: boolean;
}

export interface BootstrappedNode {
  /** What the pipeline is built from. */
  readonly config: NodeConfig;
  /** Every interface of the bridge, pods' included, as OVSDB records them. */
  readonly store: InterfaceStore;
}

/** Sets up the node's ports, then loads the interface store from the bridge. */
export async function bootstrapNode(
  opts: BootstrapOptions,
  vsctl: Pick<Vsctl, 'addBridge' | 'addPort' | 'listInterfaces'>,
): Promise<BootstrappedNode> {
  const { bridge, subnet, netns } = opts;
  await vsctl.addBridge(bridge, { datapathType: opts.datapathType, failMode: 'secure' });
  const gw = await vsctl.addPort(bridge, GATEWAY_PORT_NAME, {
    type: 'internal',
    externalIds: nodePortExternalIds('gateway'),
  });
  const ipNode = (args: string[]): Promise<string> =>
    run('ip', [...(netns === undefined ? [] : ['-n', netns]), ...args]);
  await ipNode(['addr', 'replace', subnet.withPrefix(subnet.gateway), 'dev', GATEWAY_PORT_NAME]);
  await ipNode(['link', 'set', GATEWAY_PORT_NAME, 'up']);
  // The node's own TCP to pods crosses the userspace datapath too.
  await run('ethtool', ['-K', GATEWAY_PORT_NAME, 'tx', 'off'], { netns });
  const mac =
    gw.mac ??
    (
      JSON.parse(await ipNode(['-j', 'link', 'show', GATEWAY_PORT_NAME])) as { address: string }[]
    )[0].address;
  let tunnelOFPort: number | undefined;
  if (opts.tunnel === 'geneve') {
    const tun = await vsctl.addPort(bridge, TUNNEL_PORT_NAME, {
      type: 'geneve',
      options: { remote_ip: 'flow', key: 'flow', csum: 'true' },
      externalIds: nodePortExternalIds('tunnel'),
    });
    tunnelOFPort = tun.ofport;
  }
  const store = await InterfaceStore.load(vsctl, bridge);
  // The gateway's address is configuration, not in OVSDB.
  store.add({
    kind: 'gateway',
    name: gw.name,
    portUUID: gw.uuid,
    ofport: gw.ofport,
    ips: [subnet.gateway],
    mac,
  });
  const config: NodeConfig = {
    gateway: { ofport: gw.ofport, ip: subnet.gateway, mac },
    ...(tunnelOFPort === undefined ? {} : { tunnelOFPort }),
    antreaPolicy: opts.antreaPolicy,
  };
  return { config, store };
}
