// Tables 30/31 (ConntrackZone, ConntrackState) and 105 (ConntrackCommit): every pod packet is
// tracked in zone 65520 (with `nat`, so Service replies are un-NATed once Services exist);
// invalid packets die; policy tables let established packets through on ct_state; new
// connections that every policy allowed are committed at the end (Service connections were
// already committed with their DNAT, see service.ts).
import type { Flow } from '../../ovs/flow.js';
import { flow, gotoTable, m, DROP } from './build.js';
import { Priority, Table } from './tables.js';
import { CT_ZONE } from './types.js';

export function conntrackNodeFlows(): Flow[] {
  return [
    flow(
      Table.ConntrackZone,
      Priority.Normal,
      [m('ip')],
      [`ct(table=${Table.ConntrackState},zone=${CT_ZONE},nat)`],
    ),
    flow(Table.ConntrackState, Priority.Normal, [m('ct_state', '+inv+trk'), m('ip')], DROP),
    // Learned affinity flows (table 40) can only load registers, so 40 is visited and left for
    // 41 by resubmits rather than by goto_table (Antrea's SessionAffinity pattern).
    flow(
      Table.ConntrackState,
      Priority.Miss,
      [],
      [`resubmit(,${Table.SessionAffinity})`, `resubmit(,${Table.ServiceLB})`],
    ),
    flow(
      Table.ConntrackCommit,
      Priority.Low,
      [m('ct_state', '+new+trk'), m('ip')],
      [`ct(commit,table=${Table.HairpinSNAT},zone=${CT_ZONE})`],
    ),
    flow(Table.ConntrackCommit, Priority.Miss, [], [gotoTable(Table.HairpinSNAT)]),
  ];
}
