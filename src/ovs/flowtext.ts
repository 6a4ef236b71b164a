// Text ⇄ typed flow. `formatFlow` writes what `ovs-ofctl add-flow(s)` reads; `parseFlow` reads
// both that and the lines `ovs-ofctl -O OpenFlow15 dump-flows` prints; `formatDumpedFlow` prints
// a dumped flow exactly as dump-flows did (OVS's ofputil_flow_stats_format: stats, timeouts,
// flags, importance and ages separated by ", ", then `priority=N,match` unless the priority is
// the default 32768, a space, `actions=`).
import { FLOW_FLAGS, type DumpedFlow, type Flow, type FlowFlag, type MatchField } from './flow.js';
import { indexOfTopLevelWord, splitTopLevel } from './textsplit.js';

/** OpenFlow's default priority, which dump-flows leaves out. */
const DEFAULT_PRIORITY = 32768;

function isFlag(token: string): token is FlowFlag {
  return (FLOW_FLAGS as readonly string[]).includes(token);
}

function matchText(m: MatchField): string {
  return m.value === undefined ? m.name : `${m.name}=${m.value}`;
}

function actionsText(actions: readonly string[]): string {
  // An empty action list is what OVS calls (and prints as) `drop`.
  return actions.length === 0 ? 'drop' : actions.join(',');
}

function isZeroCookie(cookie: string | undefined): boolean {
  return cookie === undefined || /^0x0+$/i.test(cookie);
}

/** `priority=P,match…` (string concatenation: bundles format 100,000 flows at a time). */
function priorityAndMatch(flow: Flow): string {
  let s = `priority=${flow.priority}`;
  for (const m of flow.match) s += m.value === undefined ? `,${m.name}` : `,${m.name}=${m.value}`;
  return s;
}

/** `table=T, priority=P,match…`: what modify_strict and delete_strict address. */
export function formatFlowKey(flow: Flow): string {
  return `table=${flow.table}, ${priorityAndMatch(flow)}`;
}

/** Timeouts, flags and importance in OVS's order, each followed by `, `; zero values are absent. */
function modifiers(flow: Flow): string {
  // Appended in place: a bundle formats 100,000 flows, nearly all without any of them.
  let s = '';
  if (flow.idleTimeout) s += `idle_timeout=${flow.idleTimeout}, `;
  if (flow.hardTimeout) s += `hard_timeout=${flow.hardTimeout}, `;
  if (flow.flags !== undefined) for (const f of flow.flags) s += `${f}, `;
  if (flow.importance) s += `importance=${flow.importance}, `;
  return s;
}

/** `ovs-ofctl add-flow` syntax, e.g. `table=90, priority=200,ip,nw_src=10.10.1.5 actions=drop`. */
export function formatFlow(flow: Flow): string {
  const cookie = isZeroCookie(flow.cookie) ? '' : `cookie=${flow.cookie}, `;
  const head = `${cookie}table=${flow.table}, ${modifiers(flow)}`;
  return `${head}${priorityAndMatch(flow)} actions=${actionsText(flow.actions)}`;
}

/**
 * What a flow carries besides its key: cookie, timeouts, flags, importance (if any) and
 * `actions=…`, as add-flow reads it after the key (`formatFlowKey(f) + ' ' + formatFlowValue(f)`
 * is a flow ovs-ofctl and parseFlow read; only the order of the fields differs from formatFlow).
 */
export function formatFlowValue(flow: Flow): string {
  const cookie = isZeroCookie(flow.cookie) ? '' : `cookie=${flow.cookie}, `;
  return `${cookie}${modifiers(flow)}actions=${actionsText(flow.actions)}`;
}

/** The line dump-flows printed for this flow, leading space included. */
export function formatDumpedFlow(f: DumpedFlow): string {
  const s = f.stats;
  const fields = [
    `cookie=${f.cookie ?? '0x0'}`,
    `duration=${s.duration}`,
    `table=${f.table}`,
    `n_packets=${s.nPackets}`,
    `n_bytes=${s.nBytes}`,
  ];
  if (f.idleTimeout) fields.push(`idle_timeout=${f.idleTimeout}`);
  if (f.hardTimeout) fields.push(`hard_timeout=${f.hardTimeout}`);
  // Flags are separated by a bare space in OVS's output, unlike every other field.
  const flags = (f.flags ?? []).map((flag) => `${flag} `).join('');
  const after: string[] = [];
  if (f.importance) after.push(`importance=${f.importance}`);
  if (s.idleAge !== undefined) after.push(`idle_age=${s.idleAge}`);
  if (s.hardAge !== undefined) after.push(`hard_age=${s.hardAge}`);
  const priority = f.priority === DEFAULT_PRIORITY ? [] : [`priority=${f.priority}`];
  const match = [...priority, ...f.match.map(matchText)].join(',');
  const head = fields.map((x) => `${x}, `).join('') + flags + after.map((x) => `${x}, `).join('');
  return ` ${head}${match === '' ? '' : `${match} `}actions=${actionsText(f.actions)}`;
}

/**
 * What modify_strict/delete_strict address: table, priority and match. The match fields are
 * sorted because their order does not change which flow OVS means (dump-flows reorders them).
 */
export function flowIdentity(flow: Flow): string {
  const match = flow.match.map(matchText).sort();
  return [`table=${flow.table}`, `priority=${flow.priority}`, ...match].join(',');
}

function parseInteger(name: string, value: string | undefined, line: string): number {
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new Error(
      `flow field ${name}: not a non-negative integer: ${value ?? '(none)'} in: ${line}`,
    );
  }
  return Number(value);
}

interface Mutable {
  table: number;
  priority: number;
  cookie?: string;
  idleTimeout?: number;
  hardTimeout?: number;
  importance?: number;
  duration?: string;
  nPackets?: number;
  nBytes?: number;
  idleAge?: number;
  hardAge?: number;
}

/** A dump-flows line (stats included), or an add-flow line as formatFlow writes it. */
export function parseFlow(line: string): DumpedFlow | Flow {
  const at = indexOfTopLevelWord(line, 'actions=');
  if (at < 0) throw new Error(`flow has no actions=: ${line}`);
  const actions = splitTopLevel(line.slice(at + 'actions='.length).trim(), ',');
  const f: Mutable = { table: 0, priority: DEFAULT_PRIORITY };
  const flags: FlowFlag[] = [];
  const match: MatchField[] = [];
  for (const token of splitTopLevel(line.slice(0, at), ', \t')) {
    if (isFlag(token)) {
      flags.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq < 0 ? token : token.slice(0, eq);
    const value = eq < 0 ? undefined : token.slice(eq + 1);
    const int = (): number => parseInteger(name, value, line);
    switch (name) {
      case 'cookie':
        f.cookie = isZeroCookie(value) ? undefined : value;
        break;
      case 'duration':
        f.duration = value;
        break;
      case 'table':
        f.table = int();
        break;
      case 'priority':
        f.priority = int();
        break;
      case 'n_packets':
        f.nPackets = int();
        break;
      case 'n_bytes':
        f.nBytes = int();
        break;
      case 'idle_timeout':
        f.idleTimeout = int() || undefined;
        break;
      case 'hard_timeout':
        f.hardTimeout = int() || undefined;
        break;
      case 'importance':
        f.importance = int() || undefined;
        break;
      case 'idle_age':
        f.idleAge = int();
        break;
      case 'hard_age':
        f.hardAge = int();
        break;
      default:
        match.push(value === undefined ? { name } : { name, value });
    }
  }
  const flow: Flow = {
    table: f.table,
    priority: f.priority,
    match,
    actions,
    ...(f.cookie === undefined ? {} : { cookie: f.cookie }),
    ...(f.idleTimeout === undefined ? {} : { idleTimeout: f.idleTimeout }),
    ...(f.hardTimeout === undefined ? {} : { hardTimeout: f.hardTimeout }),
    ...(flags.length === 0 ? {} : { flags }),
    ...(f.importance === undefined ? {} : { importance: f.importance }),
  };
  if (f.duration === undefined) return flow;
  if (f.nPackets === undefined || f.nBytes === undefined) {
    throw new Error(`dumped flow without n_packets/n_bytes: ${line}`);
  }
  const stats = {
    duration: f.duration,
    nPackets: f.nPackets,
    nBytes: f.nBytes,
    ...(f.idleAge === undefined ? {} : { idleAge: f.idleAge }),
    ...(f.hardAge === undefined ? {} : { hardAge: f.hardAge }),
  };
  return { ...flow, stats };
}

/** A dump-flows line; throws if the line carries no stats. */
export function parseDumpedFlow(line: string): DumpedFlow {
  const flow = parseFlow(line);
  if (!('stats' in flow)) throw new Error(`not a dump-flows line (no duration): ${line}`);
  return flow;
}
