// Tables 40-42 (SessionAffinity, ServiceLB, EndpointDNAT) and 106 (HairpinSNAT): the Service
// stages, as AntreaProxy builds them. The node's flows are the tables' defaults plus the hooks
// Services need in the tables around them; each Service port adds its frontends, groups,
// endpoint DNATs and hairpin flows (servicelb.ts, endpointdnat.ts, hairpin.ts).
//
// Path of a new connection to a frontend: 31 resubmits to 40 (a remembered endpoint, else
// "need LB") and 41 (frontend → select group → endpoint into reg3/reg4) → 42 (DNAT commit with
// the Service ct_mark, destination MAC to the global virtual MAC) → egress policy → 70 routes
// to the endpoint like a packet from the tunnel. Every later packet of it (replies included)
// is translated by table 30's ct(nat) and leaves 31 straight for the egress tables.
import type { Flow } from '../../ovs/flow.js';
import type { Group } from '../../ovs/group.js';
import { flow, gotoTable, m } from './build.js';
import { endpointDNATFlow } from './endpointdnat.js';
import { load, ServiceState, ServiceStateValue } from './fields.js';
import { hairpinEndpointFlow, hairpinNodeFlows } from './hairpin.js';
import { serviceGroup, serviceLBFlows } from './servicelb.js';
import { SERVICE_CT_MARK, type ServicePortConfig } from './servicetypes.js';
import { egressEntryTable, Priority, Table } from './tables.js';
import { GLOBAL_VIRTUAL_MAC, type NodeConfig } from './types.js';

const SERVICE_MARK = m('ct_mark', `0x${SERVICE_CT_MARK.toString(16)}`);
const ROUTED = `set_field:${GLOBAL_VIRTUAL_MAC}->eth_dst`;

export function serviceNodeFlows(cfg: NodeConfig): Flow[] {
  const passOn = (from: number, to: number): Flow => flow(from, Priority.Miss, [], [gotoTable(to)]);
  return [
    // Established (or not yet answered) Service connections: already translated by table 30.
    flow(
      Table.ConntrackState,
      Priority.Low,
      [SERVICE_MARK, m('ip')],
      [ROUTED, gotoTable(egressEntryTable(cfg.antreaPolicy))],
    ),
    // No affinity remembered: table 41 load-balances (table 31 resubmits to 40, then 41).
    flow(Table.SessionAffinity, Priority.Miss, [], [load(ServiceState, ServiceStateValue.NeedLB)]),
    passOn(Table.ServiceLB, Table.EndpointDNAT),
    passOn(Table.EndpointDNAT, egressEntryTable(cfg.antreaPolicy)),
    // An endpoint that is no pod (host network): through the gateway to the node.
    flow(
      Table.L3Forwarding,
      Priority.Low,
      [m('ip'), SERVICE_MARK, m('dl_dst', GLOBAL_VIRTUAL_MAC)],
      [`set_field:${cfg.gateway.mac}->eth_dst`, gotoTable(Table.L2Forwarding)],
    ),
    // Committed with its DNAT in table 42 already.
    flow(
      Table.ConntrackCommit,
      Priority.Normal,
      [m('ct_state', '+new+trk'), SERVICE_MARK, m('ip')],
      [gotoTable(Table.HairpinSNAT)],
    ),
    ...hairpinNodeFlows(),
    passOn(Table.HairpinSNAT, Table.Output),
  ];
}

/** Every flow of one Service port; flows of endpoints shared with other ports are equal. */
export function servicePortFlows(cfg: NodeConfig, svc: ServicePortConfig): Flow[] {
  const endpoints = new Map(
    svc.groups.flatMap((g) => g.endpoints).map((ep) => [`${ep.ip}:${ep.port}`, ep]),
  );
  const flows = serviceLBFlows(svc);
  for (const ep of endpoints.values()) {
    flows.push(endpointDNATFlow(cfg, svc.protocol, ep));
    if (ep.local) flows.push(hairpinEndpointFlow(ep.ip));
  }
  return flows;
}

export function servicePortGroups(svc: ServicePortConfig): Group[] {
  return svc.groups.map((g) => serviceGroup(svc, g));
}
