// `antctl traceflow -S NS/POD -D NS/POD|IP [-f tcp,tcp_dst=80]` (agent mode, on the source
// pod's node): the first packet of a new connection traced through the node's bridge with
// ofproto/trace — every table it visits, the flow that matched there and its actions, and
// where the packet ends: out of a port (a local pod's, the gateway, the tunnel) or dropped,
// by the last flow listed.
import { Command, Option } from 'commander';
import type { TraceflowResponse } from '../../agent/apiserver/traceflow.js';
import { getJSON, requireMode, resolveEndpoint } from '../endpoint.js';
import { UsageError } from '../errors.js';
import { globalOptions } from '../globals.js';
import { cobraHelp } from '../help.js';
import { formatObject, formatTable, outputOption, parseOutputFormat } from '../output.js';
import { parsePodRef, podIP } from '../podref.js';

const EXAMPLE = `  Trace a TCP packet to port 80 from a local Pod to another Pod
  $ antctl traceflow -S default/ch-busybox -D default/nginx-5d9f8c7b6-x2k4p
  Trace a UDP packet to port 53 to an address
  $ antctl traceflow -S default/ch-busybox -D 10.96.0.10 -f udp,udp_dst=53`;

/** `-f tcp,tcp_dst=80`: the protocol and, for TCP or UDP, the destination port. */
export function parseFlowSpec(spec: string): { protocol: string; port?: number } {
  const [protocol, ...fields] = spec.split(',');
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'icmp')
    throw new UsageError(`-f ${spec}: the first field must be tcp, udp or icmp`);
  let port: number | undefined;
  for (const f of fields) {
    const m = /^(?:tcp_dst|udp_dst|tp_dst)=(\d+)$/.exec(f);
    if (m === null) throw new UsageError(`-f ${spec}: unsupported field "${f}"`);
    port = Number(m[1]);
  }
  return { protocol, ...(port === undefined ? {} : { port }) };
}

function describe(r: TraceflowResponse): string {
  const to = r.destinationPort === undefined ? r.protocol : `${r.protocol}/${r.destinationPort}`;
  const last = r.hops.at(-1);
  const result =
    r.verdict === 'output'
      ? `forwarded out of ${r.outputPorts.join(', ')}`
      : r.verdict === 'drop'
        ? 'dropped'
        : r.verdict === 'controller'
          ? 'sent to the controller'
          : 'not followed further: the datapath picks the next step (e.g. a Service endpoint) by hash, which ofproto/trace cannot replay';
  const decided = r.verdict === 'output' || r.verdict === 'drop' ? 'Decided by' : 'Last flow';
  const lastLine =
    last === undefined
      ? ''
      : `\n${decided}: table ${last.table} (${last.tableName}) ${last.flow} actions=${last.actions.join(',')}`;
  return (
    `Traceflow on node ${r.node}: ${r.source.pod} (${r.source.ip}, port ${r.source.port}) -> ${r.destination} ${to}\n` +
    formatTable(
      ['TABLE', 'NAME', 'FLOW', 'ACTIONS'],
      r.hops.map((h) => [String(h.table), h.tableName, h.flow, h.actions.join(',')]),
    ) +
    `Result: ${result}${lastLine}\n`
  );
}

export function traceflowCommand(): Command {
  const cmd = new Command('traceflow')
    .summary("Trace a packet through the node's OVS pipeline")
    .description(
      'Trace the first packet of a new connection from a local Pod through the OVS pipeline of its node: the flow that matched in every table, and where the packet ends.',
    )
    .alias('tf')
    .addOption(new Option('-S, --source <string>', 'source Pod: NAMESPACE/NAME, on this node'))
    .addOption(
      new Option(
        '-D, --destination <string>',
        'destination: a Pod (NAMESPACE/NAME) or an IPv4 address',
      ),
    )
    .addOption(
      new Option(
        '-f, --flow <string>',
        'protocol and destination port, e.g. tcp,tcp_dst=80',
      ).default('tcp,tcp_dst=80'),
    )
    .addOption(outputOption())
    .action(
      async (
        opts: { source?: string; destination?: string; flow: string; output: string },
        self: Command,
      ) => {
        if (opts.source === undefined || opts.destination === undefined)
          throw new UsageError('both -S/--source and -D/--destination are required');
        const global = globalOptions(self);
        const endpoint = await resolveEndpoint(global);
        requireMode(endpoint, ['agent'], 'antctl traceflow');
        const source = parsePodRef(opts.source);
        const destination = /^\d+\.\d+\.\d+\.\d+$/.test(opts.destination)
          ? opts.destination
          : await podIP(parsePodRef(opts.destination, source.namespace), global);
        const { protocol, port } = parseFlowSpec(opts.flow);
        const q = new URLSearchParams({
          source: `${source.namespace}/${source.name}`,
          destination,
          protocol,
          ...(port === undefined ? {} : { port: String(port) }),
        });
        const r = await getJSON<TraceflowResponse>(endpoint, `/traceflow?${q}`, global);
        process.stdout.write(formatObject(r, parseOutputFormat(opts.output), describe));
      },
    );
  return cobraHelp(cmd, EXAMPLE);
}
