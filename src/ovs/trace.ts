// Where a packet goes, from `ovs-appctl ofproto/trace`: the OpenFlow tables it visits (also
// after conntrack recirculation, which the trace follows) and what the datapath finally does
// with it. Datapath actions name datapath port numbers, which differ from ofports; `dpif/show`
// (`NAME OFPORT/DPPORT: …`) maps them back.
import { run } from '../util/exec.js';
import { splitTopLevel } from './textsplit.js';

export interface TraceResult {
  /** OpenFlow tables in the order visited (a table visited twice appears twice). */
  tables: number[];
  /** `output` if the packet leaves through any port, else `controller` if sent there, else `drop`. */
  verdict: 'output' | 'drop' | 'controller' | 'unknown';
  /**
   * Ofports the packet leaves through; a tunnelled packet leaves through the tunnel port (the
   * underlay port it then takes is left out).
   */
  outputPorts: number[];
  raw: string;
}

/** Datapath port → ofport, from `ovs-appctl dpif/show`. */
export function parseDpifShow(text: string): Map<number, number> {
  const ports = new Map<number, number>();
  for (const m of text.matchAll(/^\s+\S+ (\d+)\/(\d+):/gm)) ports.set(Number(m[2]), Number(m[1]));
  return ports;
}

interface Outcome {
  readonly dpPorts: number[];
  controller: boolean;
}

/** Collects output ports and controller actions from one datapath action list. */
function scanDatapathActions(actions: string, into: Outcome): void {
  for (const action of splitTopLevel(actions, ',')) {
    if (/^\d+$/.test(action)) {
      into.dpPorts.push(Number(action));
    } else if (action.startsWith('tnl_push(')) {
      const port = /tnl_port\((\d+)\)/.exec(action)?.[1];
      if (port !== undefined) into.dpPorts.push(Number(port));
      // What follows the push is the encapsulated packet on the underlay, not a pod's port.
      return;
    } else if (action.startsWith('clone(')) {
      scanDatapathActions(action.slice('clone('.length, -1), into);
    } else if (action.startsWith('userspace(') && action.includes('controller(')) {
      into.controller = true;
    }
  }
}

/** The tables visited in `bridge` (a trace also walks bridges reached through patch or tunnel ports). */
function tablesVisited(raw: string, bridge: string): number[] {
  const tables: number[] = [];
  let current = '';
  for (const line of raw.split('\n')) {
    const header = /^bridge\("(.*)"\)$/.exec(line);
    if (header !== null) current = header[1];
    const table = /^\s*(\d+)\. /.exec(line);
    if (table !== null && current === bridge) tables.push(Number(table[1]));
  }
  return tables;
}

/** Reads a trace of a packet in `bridge` given the datapath port map (pure, for tests). */
export function interpretTrace(
  raw: string,
  bridge: string,
  dpToOfport: ReadonlyMap<number, number>,
): TraceResult {
  const tables = tablesVisited(raw, bridge);
  const outcome: Outcome = { dpPorts: [], controller: false };
  const lines = [...raw.matchAll(/^Datapath actions: (.*)$/gm)].map((m) => m[1]);
  for (const line of lines) scanDatapathActions(line, outcome);
  const outputPorts = [...new Set(outcome.dpPorts.flatMap((p) => dpToOfport.get(p) ?? []))];
  const verdict =
    lines.length === 0
      ? 'unknown'
      : outcome.dpPorts.length > 0
        ? 'output'
        : outcome.controller
          ? 'controller'
          : 'drop';
  return { tables, verdict, outputPorts, raw };
}

/**
 * Traces `flow` through `bridge`, in ofproto/trace syntax: `in_port=3,tcp,nw_src=…,tp_dst=80`
 * (note: for udp, ofproto/trace wants `udp_dst`/`udp_src`; it rejects `tp_dst`).
 */
export async function trace(opts: {
  vswitchdCtl: string;
  netns?: string;
  bridge: string;
  flow: string;
}): Promise<TraceResult> {
  const appctl = (args: string[]): Promise<string> =>
    run('ovs-appctl', ['-t', opts.vswitchdCtl, ...args], { netns: opts.netns });
  const [raw, dpif] = await Promise.all([
    appctl(['ofproto/trace', opts.bridge, opts.flow]),
    appctl(['dpif/show']),
  ]);
  return interpretTrace(raw, opts.bridge, parseDpifShow(dpif));
}
