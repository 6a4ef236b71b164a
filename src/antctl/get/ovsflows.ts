// `antctl get ovsflows` (agent mode): every flow of the node's bridge, or those of a local Pod
// (-p with -n), of a NetworkPolicy (--networkpolicy with -n) or of one table (-T NAME|NUMBER),
// as the seed prints them; the help lists the pipeline's tables exactly as the seed's does.
import { Option } from 'commander';
import type { OvsFlowResponse } from '../../agent/apiserver/ovsflows.js';
import { FLOW_TABLES } from '../../agent/openflow/tables.js';
import { UsageError } from '../errors.js';
import { getJSON } from '../endpoint.js';
import { resourceCommand } from './resource.js';

const EXAMPLE = `  Dump all OVS flows
  $ antctl get ovsflows
  Dump OVS flows of a local Pod
  $ antctl get ovsflows -p pod1 -n ns1
  Dump OVS flows of a NetworkPolicy
  $ antctl get ovsflows --networkpolicy np1 -n ns1
  Dump OVS flows of a flow Table
  $ antctl get ovsflows -T IngressRule

  Antrea OVS Flow Tables:
${FLOW_TABLES.map((t) => `  ${String(t.number).padEnd(6)}${t.name}`).join('\n')}`;

interface Flags {
  namespace?: string;
  networkpolicy?: string;
  pod?: string;
  table?: string;
}

function query(opts: Flags): URLSearchParams {
  const q = new URLSearchParams();
  if ((opts.pod !== undefined || opts.networkpolicy !== undefined) && opts.namespace === undefined)
    throw new UsageError('a Namespace must be provided with -n');
  if (opts.namespace !== undefined) q.set('namespace', opts.namespace);
  if (opts.pod !== undefined) q.set('pod', opts.pod);
  if (opts.networkpolicy !== undefined) q.set('networkpolicy', opts.networkpolicy);
  if (opts.table !== undefined) q.set('table', opts.table);
  return q;
}

export function ovsFlowsCommand() {
  return resourceCommand<OvsFlowResponse, Flags>({
    name: 'ovsflows',
    aliases: ['of'],
    short: 'Dump OVS flows',
    long: 'Dump all the OVS flows or the flows installed for the specified entity.',
    example: EXAMPLE,
    modes: ['agent'],
    options: [
      new Option('-n, --namespace <string>', 'Namespace of the entity'),
      new Option(
        '--networkpolicy <string>',
        'NetworkPolicy name. If present, Namespace must be provided.',
      ),
      new Option(
        '-p, --pod <string>',
        'Name of a local Pod. If present, Namespace must be provided.',
      ),
      new Option('-T, --table <string>', 'Antrea OVS flow table name or number'),
    ],
    fetch: ({ endpoint, global, opts }) => getJSON(endpoint, `/ovsflows?${query(opts)}`, global),
    table: { header: ['FLOW'], row: (f) => [f.flow] },
  });
}
