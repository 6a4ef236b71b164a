// Table 0 (Classification): marks where a packet entered in reg0 (PortType) and sends it on.
// Packets from pods and the gateway go through SpoofGuard; tunnel packets come from another
// node's pipeline, which already checked them, so they go straight to conntrack.
import type { Flow } from '../../ovs/flow.js';
import { flow, gotoTable, m, DROP } from './build.js';
import { load, PortType, PortTypeValue } from './fields.js';
import { Priority, Table } from './tables.js';
import type { NodeConfig, PodInterface } from './types.js';

export function classificationNodeFlows(cfg: NodeConfig): Flow[] {
  const flows = [
    flow(
      Table.Classification,
      Priority.Normal,
      [m('in_port', cfg.gateway.ofport)],
      [load(PortType, PortTypeValue.Gateway), gotoTable(Table.SpoofGuard)],
    ),
    flow(Table.Classification, Priority.Miss, [], DROP),
  ];
  if (cfg.tunnelOFPort !== undefined) {
    flows.push(
      flow(
        Table.Classification,
        Priority.Normal,
        [m('in_port', cfg.tunnelOFPort)],
        [load(PortType, PortTypeValue.Tunnel), gotoTable(Table.ConntrackZone)],
      ),
    );
  }
  return flows;
}

/** `priority=190,in_port=P actions=load:0x2->NXM_NX_REG0[0..15],goto_table:10` (seed, step 6). */
export function classificationPodFlows(pod: PodInterface): Flow[] {
  return [
    flow(
      Table.Classification,
      Priority.Low,
      [m('in_port', pod.ofport)],
      [load(PortType, PortTypeValue.Pod), gotoTable(Table.SpoofGuard)],
    ),
  ];
}
