// Table 80 (L2Forwarding): the destination MAC decides the output port, kept in reg1 (which the
// ingress rules match) with the "output port found" bit set; then the ingress policy tables.
import type { Flow } from '../../ovs/flow.js';
import { flow, gotoTable, m } from './build.js';
import { load, OutputPortFound, TargetOFPort } from './fields.js';
import { ingressEntryTable, Priority, Table } from './tables.js';
import type { NodeConfig, PodInterface } from './types.js';

function forwardTo(cfg: NodeConfig, mac: string, ofport: number): Flow {
  return flow(
    Table.L2Forwarding,
    Priority.Normal,
    [m('dl_dst', mac)],
    [
      load(TargetOFPort, ofport),
      load(OutputPortFound, 1),
      gotoTable(ingressEntryTable(cfg.antreaPolicy)),
    ],
  );
}

export function l2ForwardingNodeFlows(cfg: NodeConfig): Flow[] {
  return [
    forwardTo(cfg, cfg.gateway.mac, cfg.gateway.ofport),
    // Unknown destination: no port found, so Output drops it after conntrack.
    flow(Table.L2Forwarding, Priority.Miss, [], [gotoTable(Table.ConntrackCommit)]),
  ];
}

export function l2ForwardingPodFlows(cfg: NodeConfig, pod: PodInterface): Flow[] {
  return [forwardTo(cfg, pod.mac, pod.ofport)];
}
