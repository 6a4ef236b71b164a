// Hairpin (Antrea's tables 29 ServiceHairpin and 106 HairpinSNAT): a pod that reaches itself
// through a Service gets its request back with the source rewritten to the hairpin virtual IP
// (a packet from its own address would be dropped by its kernel), out of the port it came in.
// Its reply, addressed to the virtual IP, is turned back to itself before conntrack so the
// DNAT is undone, and leaves through its in_port again. Antrea reaches table 29 from
// SpoofGuard; here SpoofGuard keeps the seed's goto_table:30, so that flow heads table 30.
import type { Flow } from '../../ovs/flow.js';
import { flow, m } from './build.js';
import { HairpinMark, load, match } from './fields.js';
import { HAIRPIN_VIRTUAL_IP } from './servicetypes.js';
import { Priority, Table } from './tables.js';
import { CT_ZONE } from './types.js';

export function hairpinNodeFlows(): Flow[] {
  return [
    flow(
      Table.ConntrackZone,
      Priority.High,
      [m('ip'), m('nw_dst', HAIRPIN_VIRTUAL_IP)],
      [
        'move:NXM_OF_IP_SRC[]->NXM_OF_IP_DST[]',
        load(HairpinMark, 1),
        `ct(table=${Table.ConntrackState},zone=${CT_ZONE},nat)`,
      ],
    ),
    flow(Table.HairpinSNAT, Priority.Normal, [m('ip'), match(HairpinMark, 1)], ['IN_PORT']),
  ];
}

/** A local endpoint talking to itself: source to the virtual IP, back out of its port. */
export function hairpinEndpointFlow(ip: string): Flow {
  return flow(
    Table.HairpinSNAT,
    Priority.Normal,
    [m('ip'), m('nw_src', ip), m('nw_dst', ip)],
    [`set_field:${HAIRPIN_VIRTUAL_IP}->ip_src`, 'IN_PORT'],
  );
}
