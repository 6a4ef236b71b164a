// Small constructors shared by the table builders, so each builder reads like the flow it makes.
import type { Flow, MatchField } from '../../ovs/flow.js';

export function flow(
  table: number,
  priority: number,
  match: readonly MatchField[],
  actions: readonly string[],
): Flow {
  return { table, priority, match, actions };
}

/** A match field: `m('ip')`, `m('nw_src', '10.0.0.5')`. */
export function m(name: string, value?: string | number): MatchField {
  return value === undefined ? { name } : { name, value: String(value) };
}

export function gotoTable(table: number): string {
  return `goto_table:${table}`;
}

/** The empty action list, which OVS prints as `drop`. */
export const DROP: readonly string[] = [];
