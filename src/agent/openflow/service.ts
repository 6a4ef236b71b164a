// Tables 40-42 (SessionAffinity, ServiceLB, EndpointDNAT) and 106 (HairpinSNAT): the Service
// stages. Until Services are implemented they only pass packets on, so the pipeline already has
// its final shape and Service flows will slot in above these defaults.
import type { Flow } from '../../ovs/flow.js';
import { flow, gotoTable } from './build.js';
import { egressEntryTable, Priority, Table } from './tables.js';
import type { NodeConfig } from './types.js';

export function serviceNodeFlows(cfg: NodeConfig): Flow[] {
  const passOn = (from: number, to: number): Flow => flow(from, Priority.Miss, [], [gotoTable(to)]);
  return [
    passOn(Table.SessionAffinity, Table.ServiceLB),
    passOn(Table.ServiceLB, Table.EndpointDNAT),
    passOn(Table.EndpointDNAT, egressEntryTable(cfg.antreaPolicy)),
    passOn(Table.HairpinSNAT, Table.Output),
  ];
}
