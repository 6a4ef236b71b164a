// Table 110 (Output): out of the port that forwarding chose; a packet without one is dropped.
import type { Flow } from '../../ovs/flow.js';
import { flow, m, DROP } from './build.js';
import { match, OutputPortFound, outputTo, TargetOFPort } from './fields.js';
import { Priority, Table } from './tables.js';

export function outputNodeFlows(): Flow[] {
  return [
    flow(
      Table.Output,
      Priority.Normal,
      [m('ip'), match(OutputPortFound, 1)],
      [outputTo(TargetOFPort)],
    ),
    flow(Table.Output, Priority.Miss, [], DROP),
  ];
}
