// GET /ovsflows[?namespace=NS&pod=POD | ?namespace=NS&networkpolicy=NP | ?table=NAME|NUMBER]:
// the bridge's flows with OVS's real counters, in the form the seed's antctl prints — `table=T,
// n_packets=N, n_bytes=B, priority=P,match actions=A`, ports by name (`in_port="nginx-de-481c4a"`)
// and actions as the agent wrote them (see OpenflowClient.annotate). A pod's or a policy's flows
// are those its owner installed, in the order the pipeline builds them.
import type { DumpedFlow, Flow } from '../../ovs/flow.js';
import { flowIdentity, formatFlow } from '../../ovs/flowtext.js';
import { resolveTable } from '../openflow/tables.js';
import { HttpError } from './server.js';

export interface OvsFlowResponse {
  readonly flow: string;
}

export interface OvsFlowsSource {
  /** `ovs-ofctl dump-flows` of the bridge (one table or all), ports as numbers. */
  dumpFlows(table?: number): Promise<DumpedFlow[]>;
  /** Puts back the actions as the agent wrote them. */
  annotate(dumped: readonly DumpedFlow[]): DumpedFlow[];
  /** The flows installed for a local pod; undefined if the pod is not on this node. */
  podFlows(namespace: string, name: string): Flow[] | undefined;
  /** The flows of a policy's rules; undefined if this node has no such policy. */
  policyFlows(namespace: string | undefined, name: string): Flow[] | undefined;
  portName(ofport: number): string | undefined;
}

/** How `ovs-ofctl --names` writes a port name: quoted unless it is a plain word. */
export function ovsPortName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name}"`;
}

/** in_port=3 → in_port="nginx-de-481c4a", output:3 → output:"…", as `--names` prints them. */
function withPortNames(
  f: DumpedFlow,
  portName: (ofport: number) => string | undefined,
): DumpedFlow {
  const named = (port: string): string => {
    const name = /^\d+$/.test(port) ? portName(Number(port)) : undefined;
    return name === undefined ? port : ovsPortName(name);
  };
  return {
    ...f,
    match: f.match.map((m) =>
      m.name === 'in_port' && m.value !== undefined ? { ...m, value: named(m.value) } : m,
    ),
    actions: f.actions.map((a) => (a.startsWith('output:') ? `output:${named(a.slice(7))}` : a)),
  };
}

/** The seed's antctl line: counters after the table, no cookie, duration or ages. */
export function antctlFlowText(f: DumpedFlow): string {
  const table = `table=${f.table}, `;
  const rest = formatFlow({ ...f, cookie: undefined }).slice(table.length);
  return `${table}n_packets=${f.stats.nPackets}, n_bytes=${f.stats.nBytes}, ${rest}`;
}

/** The dumped flows that are `wanted`, in `wanted`'s order. */
function pick(dumped: readonly DumpedFlow[], wanted: readonly Flow[]): DumpedFlow[] {
  const byIdentity = new Map(dumped.map((d) => [flowIdentity(d), d]));
  return wanted.flatMap((w) => byIdentity.get(flowIdentity(w)) ?? []);
}

function selection(src: OvsFlowsSource, q: URLSearchParams): { table?: number; flows?: Flow[] } {
  const namespace = q.get('namespace') ?? undefined;
  const pod = q.get('pod');
  const policy = q.get('networkpolicy');
  const table = q.get('table');
  if ([pod, policy, table].filter((v) => v !== null).length > 1)
    throw new HttpError(400, 'only one of pod, networkpolicy and table can be given');
  if (pod !== null) {
    if (namespace === undefined) throw new HttpError(400, 'a Pod needs its Namespace');
    const flows = src.podFlows(namespace, pod);
    if (flows === undefined)
      throw new HttpError(404, `Pod ${namespace}/${pod} is not on this node`);
    return { flows };
  }
  if (policy !== null) {
    const flows = src.policyFlows(namespace, policy);
    const what = namespace === undefined ? policy : `${namespace}/${policy}`;
    if (flows === undefined)
      throw new HttpError(404, `NetworkPolicy ${what} is not applied on this node`);
    return { flows };
  }
  if (table !== null) {
    const number = resolveTable(table);
    if (number === undefined) throw new HttpError(400, `unknown flow table "${table}"`);
    return { table: number };
  }
  return {};
}

export async function ovsFlows(
  src: OvsFlowsSource,
  q: URLSearchParams,
): Promise<OvsFlowResponse[]> {
  const { table, flows } = selection(src, q);
  const tables = flows === undefined ? undefined : new Set(flows.map((f) => f.table));
  // A selection that lies in one table needs only that table's dump.
  const dumped =
    tables !== undefined && tables.size === 1
      ? await src.dumpFlows([...tables][0])
      : await src.dumpFlows(table);
  const selected = flows === undefined ? dumped : pick(dumped, flows);
  return src
    .annotate(selected)
    .map((f) => ({ flow: antctlFlowText(withPortNames(f, (p) => src.portName(p))) }));
}
