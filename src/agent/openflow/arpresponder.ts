// Table 20 (ARPResponder): answers ARP requests for gateway addresses in the switch itself —
// the local antrea-gw0 for pods, and each remote node's gateway (with the global virtual MAC,
// which the tunnel flows route) for the host — and lets every other ARP through NORMAL.
import type { Flow } from '../../ovs/flow.js';
import { flow, m, DROP } from './build.js';
import { match, PortType, PortTypeValue } from './fields.js';
import { Priority, Table } from './tables.js';
import { GLOBAL_VIRTUAL_MAC, type NodeConfig, type RemoteNode } from './types.js';

/** Turns the request into the reply in place and sends it back where it came from. */
function arpReply(ip: string, mac: string): string[] {
  return [
    'move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]',
    `set_field:${mac}->eth_src`,
    'load:0x2->NXM_OF_ARP_OP[]',
    'move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[]',
    `set_field:${mac}->arp_sha`,
    'move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[]',
    `set_field:${ip}->arp_spa`,
    'IN_PORT',
  ];
}

export function arpResponderNodeFlows(cfg: NodeConfig): Flow[] {
  const gw = cfg.gateway;
  return [
    // Only pods ask: the gateway itself may probe its own address.
    flow(
      Table.ARPResponder,
      Priority.Normal,
      [m('arp'), match(PortType, PortTypeValue.Pod), m('arp_tpa', gw.ip), m('arp_op', 1)],
      arpReply(gw.ip, gw.mac),
    ),
    flow(Table.ARPResponder, Priority.Low, [m('arp')], ['NORMAL']),
    flow(Table.ARPResponder, Priority.Miss, [], DROP),
  ];
}

export function arpResponderRemoteNodeFlows(node: RemoteNode): Flow[] {
  return [
    flow(
      Table.ARPResponder,
      Priority.Normal,
      [m('arp'), m('arp_tpa', node.gatewayIP), m('arp_op', 1)],
      arpReply(node.gatewayIP, GLOBAL_VIRTUAL_MAC),
    ),
  ];
}
