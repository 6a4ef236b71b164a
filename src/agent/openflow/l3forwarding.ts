// Table 70 (L3Forwarding): routes between pods, the gateway and other nodes.
// - To a local pod, for packets routed to the global virtual MAC (from the tunnel): rewrite the
//   MACs as a router would (gateway MAC as source, pod MAC as destination) and decrement TTL.
// - To another node's PodCIDR: set the tunnel destination and output port, skip L2 forwarding
//   and the ingress tables (the destination node enforces ingress policy).
// Everything else (same-subnet traffic, traffic to the gateway) is already addressed by MAC.
import type { Flow } from '../../ovs/flow.js';
import { flow, gotoTable, m } from './build.js';
import { load, OutputPortFound, TargetOFPort } from './fields.js';
import { Priority, Table } from './tables.js';
import {
  GLOBAL_VIRTUAL_MAC,
  type NodeConfig,
  type PodInterface,
  type RemoteNode,
} from './types.js';

function routeTo(ip: string, srcMac: string, dstMac: string): Flow {
  return flow(
    Table.L3Forwarding,
    Priority.Normal,
    [m('ip'), m('dl_dst', GLOBAL_VIRTUAL_MAC), m('nw_dst', ip)],
    [
      `set_field:${srcMac}->eth_src`,
      `set_field:${dstMac}->eth_dst`,
      'dec_ttl',
      gotoTable(Table.L2Forwarding),
    ],
  );
}

export function l3ForwardingNodeFlows(cfg: NodeConfig): Flow[] {
  const gw = cfg.gateway;
  return [
    // A remote pod reaching this node's gateway address (e.g. the node itself).
    flow(
      Table.L3Forwarding,
      Priority.Normal,
      [m('ip'), m('dl_dst', GLOBAL_VIRTUAL_MAC), m('nw_dst', gw.ip)],
      [`set_field:${gw.mac}->eth_dst`, gotoTable(Table.L2Forwarding)],
    ),
    flow(Table.L3Forwarding, Priority.Miss, [], [gotoTable(Table.L2Forwarding)]),
  ];
}

export function l3ForwardingPodFlows(cfg: NodeConfig, pod: PodInterface): Flow[] {
  return pod.ips.map((ip) => routeTo(ip, cfg.gateway.mac, pod.mac));
}

export function l3ForwardingRemoteNodeFlows(cfg: NodeConfig, node: RemoteNode): Flow[] {
  if (cfg.tunnelOFPort === undefined) {
    throw new Error(`remote node ${node.name}: this node has no tunnel port`);
  }
  return [
    flow(
      Table.L3Forwarding,
      Priority.Normal,
      [m('ip'), m('nw_dst', node.podCIDR)],
      [
        'dec_ttl',
        `set_field:${cfg.gateway.mac}->eth_src`,
        `set_field:${GLOBAL_VIRTUAL_MAC}->eth_dst`,
        load(TargetOFPort, cfg.tunnelOFPort),
        load(OutputPortFound, 1),
        `set_field:${node.nodeIP}->tun_dst`,
        gotoTable(Table.ConntrackCommit),
      ],
    ),
  ];
}
