// Table 10 (SpoofGuard): a pod may only send from its own port, MAC and IP, for IP and ARP
// alike; anything else is dropped here. The gateway carries the node's traffic (any source IP),
// so only its ARP is pinned to its address.
import type { Flow } from '../../ovs/flow.js';
import { flow, gotoTable, m, DROP } from './build.js';
import { Priority, Table } from './tables.js';
import type { NodeConfig, PodInterface } from './types.js';

export function spoofGuardNodeFlows(cfg: NodeConfig): Flow[] {
  const gw = cfg.gateway;
  return [
    flow(
      Table.SpoofGuard,
      Priority.Normal,
      [m('ip'), m('in_port', gw.ofport)],
      [gotoTable(Table.ConntrackZone)],
    ),
    flow(
      Table.SpoofGuard,
      Priority.Normal,
      [m('arp'), m('in_port', gw.ofport), m('arp_spa', gw.ip), m('arp_sha', gw.mac)],
      [gotoTable(Table.ARPResponder)],
    ),
    flow(Table.SpoofGuard, Priority.Miss, [], DROP),
  ];
}

export function spoofGuardPodFlows(pod: PodInterface): Flow[] {
  return pod.ips.flatMap((ip) => [
    flow(
      Table.SpoofGuard,
      Priority.Normal,
      [m('ip'), m('in_port', pod.ofport), m('dl_src', pod.mac), m('nw_src', ip)],
      [gotoTable(Table.ConntrackZone)],
    ),
    flow(
      Table.SpoofGuard,
      Priority.Normal,
      [m('arp'), m('in_port', pod.ofport), m('arp_spa', ip), m('arp_sha', pod.mac)],
      [gotoTable(Table.ARPResponder)],
    ),
  ]);
}
