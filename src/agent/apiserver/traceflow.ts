// GET /traceflow?source=NS/POD&destination=IP[&protocol=tcp|udp|icmp][&port=N]: where a packet
// from a local pod goes, by `ovs-appctl ofproto/trace` on this node's bridge — a new
// connection's first packet, as the pod sends it: from its port and MAC to the MAC its routes
// resolve the destination to (another local pod's own, on the pod subnet; the gateway's
// otherwise). Every table it visits with the flow that matched there and that flow's actions;
// the last of them decided the packet's fate.
import type { TraceResult } from '../../ovs/trace.js';
import { FLOW_TABLES } from '../openflow/tables.js';
import { ovsPortName } from './ovsflows.js';
import { HttpError } from './server.js';

export interface TraceHop {
  readonly table: number;
  readonly tableName: string;
  /** `priority=P,match`, or `No match`. */
  readonly flow: string;
  readonly actions: readonly string[];
}

/**
 * `unknown` when the trace ends in a recirculation that ofproto/trace does not follow: a select
 * group hashed by the datapath (`hash(…),recirc(…)`), i.e. a Service choosing its endpoint.
 */
export type Verdict = TraceResult['verdict'];

export interface TraceflowResponse {
  readonly node: string;
  readonly source: { readonly pod: string; readonly ip: string; readonly port: string };
  readonly destination: string;
  readonly protocol: string;
  readonly destinationPort?: number;
  /** The packet as given to ofproto/trace. */
  readonly packet: string;
  readonly hops: readonly TraceHop[];
  readonly verdict: Verdict;
  /** Ports the packet leaves through, by name. */
  readonly outputPorts: readonly string[];
}

export interface TraceflowSource {
  readonly node: string;
  /** The MAC a local pod sends a packet for `ip` to. */
  nextHopMAC(ip: string): string;
  localPod(
    namespace: string,
    name: string,
  ): { ip: string; mac: string; ofport: number; port: string } | undefined;
  portName(ofport: number): string | undefined;
  trace(packet: string): Promise<TraceResult>;
}

const PROTOCOLS = ['tcp', 'udp', 'icmp'] as const;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function tableName(n: number): string {
  // 40 has two names in the seed's list; the later one is the table's current name.
  return FLOW_TABLES.filter((t) => t.number === n).at(-1)?.name ?? String(n);
}

/**
 * Lines of a trace's action lists that are not actions: `->` comments, the `thaw` / `Resuming
 * from table N` that opens a pass after recirculation, and the `drop` OVS lists after a
 * `ct(…,table=N)` (the packet goes on in the recirculated pass, not here).
 */
function isAction(action: string, previous: string | undefined): boolean {
  if (action.startsWith('->') || action === 'thaw' || action.startsWith('Resuming from table'))
    return false;
  return !(action === 'drop' && previous !== undefined && /^ct\(.*table=/.test(previous));
}

/**
 * The hops of a raw trace: lines `N. MATCH, priority P[, cookie C]` (or `N. No match.`), each
 * followed by its indented actions; ports by name where `portName` knows them.
 */
export function traceHops(
  raw: string,
  portName: (ofport: number) => string | undefined = () => undefined,
): TraceHop[] {
  const hops: { table: number; flow: string; actions: string[] }[] = [];
  const named = (flow: string): string =>
    flow.replace(/in_port=(\d+)/, (m, port: string) => {
      const name = portName(Number(port));
      return name === undefined ? m : `in_port=${ovsPortName(name)}`;
    });
  for (const line of raw.split('\n')) {
    const head = /^\s*(\d+)\. (.*)$/.exec(line);
    if (head !== null) {
      const rest = head[2]!;
      const m = /^(?:(.*), )?priority (\d+)(?:, cookie \S+)?$/.exec(rest);
      const flow =
        m === null ? rest.replace(/\.$/, '') : `priority=${m[2]}${m[1] ? `,${m[1]}` : ''}`;
      hops.push({ table: Number(head[1]), flow: named(flow), actions: [] });
      continue;
    }
    const action = /^ {4,}(\S.*)$/.exec(line)?.[1]?.trim();
    const last = hops.at(-1);
    if (action !== undefined && last !== undefined && isAction(action, last.actions.at(-1)))
      last.actions.push(action);
  }
  return hops.map((h) => ({ ...h, tableName: tableName(h.table) }));
}

function endsInRecirculation(raw: string): boolean {
  const last = [...raw.matchAll(/^Datapath actions: (.*)$/gm)].at(-1)?.[1] ?? '';
  return /recirc\(0x[0-9a-f]+\)$/.test(last.trim());
}

export async function traceflow(
  src: TraceflowSource,
  q: URLSearchParams,
): Promise<TraceflowResponse> {
  const [namespace, name] = (q.get('source') ?? '').split('/');
  if (!namespace || !name) throw new HttpError(400, 'source must be NAMESPACE/POD');
  const pod = src.localPod(namespace, name);
  if (pod === undefined) throw new HttpError(404, `Pod ${namespace}/${name} is not on this node`);
  const destination = q.get('destination') ?? '';
  if (!IPV4.test(destination)) throw new HttpError(400, `destination must be an IPv4 address`);
  const protocol = q.get('protocol') ?? 'tcp';
  if (!(PROTOCOLS as readonly string[]).includes(protocol))
    throw new HttpError(400, `protocol must be one of ${PROTOCOLS.join(', ')}`);
  const port = protocol === 'icmp' ? undefined : Number(q.get('port') ?? '80');
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
    throw new HttpError(400, `invalid port ${q.get('port')}`);
  const l4 = protocol === 'icmp' ? 'icmp_type=8,icmp_code=0' : `${protocol}_dst=${port}`;
  const packet =
    `${protocol},in_port=${pod.ofport},dl_src=${pod.mac},dl_dst=${src.nextHopMAC(destination)},` +
    `nw_src=${pod.ip},nw_dst=${destination},nw_ttl=64,${l4}`;
  const result = await src.trace(packet);
  return {
    node: src.node,
    source: { pod: `${namespace}/${name}`, ip: pod.ip, port: pod.port },
    destination,
    protocol,
    ...(port === undefined ? {} : { destinationPort: port }),
    packet,
    hops: traceHops(result.raw, (p) => src.portName(p)),
    verdict: endsInRecirculation(result.raw) ? 'unknown' : result.verdict,
    outputPorts: result.outputPorts.map((p) => src.portName(p) ?? String(p)),
  };
}
