// `antctl query endpoint -n NS -p POD` (controller mode): the policies applied to a pod and the
// rules that name it as a peer, from the controller's lists (see endpoint.ts).
import { Command, Option } from 'commander';
import type {
  AddressGroup,
  AppliedToGroup,
  InternalNetworkPolicy,
  NetworkPolicyReference,
} from '../../apis/index.js';
import { getJSON, requireMode, resolveEndpoint } from '../endpoint.js';
import { UsageError } from '../errors.js';
import { globalOptions } from '../globals.js';
import { cobraHelp, groupCommand } from '../help.js';
import { formatObject, formatTable, outputOption, parseOutputFormat } from '../output.js';
import { queryEndpoint, type EndpointQueryResult, type RuleRef } from './endpoint.js';

const policyRow = (p: NetworkPolicyReference): string[] => [
  p.name,
  p.namespace ?? '',
  p.type,
  p.uid,
];

function section(title: string, header: string[], rows: string[][]): string {
  return rows.length === 0 ? `${title}: None\n` : `${title}:\n${formatTable(header, rows)}`;
}

function describe(r: EndpointQueryResult): string {
  const rules = (refs: readonly RuleRef[]): string[][] =>
    refs.map((x) => [...policyRow(x.policy).slice(0, 3), String(x.index), x.action]);
  const ruleHeader = ['NAME', 'NAMESPACE', 'TYPE', 'INDEX', 'ACTION'];
  return [
    `Endpoint ${r.endpoint.namespace}/${r.endpoint.name}`,
    section(
      'Applied Policies',
      ['NAME', 'NAMESPACE', 'TYPE', 'UID'],
      r.appliedPolicies.map(policyRow),
    ),
    section('Egress Rules (to this endpoint)', ruleHeader, rules(r.egressRules)),
    section('Ingress Rules (from this endpoint)', ruleHeader, rules(r.ingressRules)),
  ].join('\n');
}

function endpointCommand(): Command {
  const cmd = new Command('endpoint')
    .summary('Query the NetworkPolicies that select an endpoint')
    .description(
      'Query the NetworkPolicies applied to a Pod and the rules that name it as a source (ingress) or a destination (egress).',
    )
    .alias('ep')
    .addOption(
      new Option('-n, --namespace <string>', 'Namespace of the endpoint').default('default'),
    )
    .addOption(new Option('-p, --pod <string>', 'Name of a Pod'))
    .addOption(outputOption())
    .action(async (opts: { namespace: string; pod?: string; output: string }, self: Command) => {
      if (opts.pod === undefined) throw new UsageError('-p/--pod is required');
      const global = globalOptions(self);
      const endpoint = await resolveEndpoint(global);
      requireMode(endpoint, ['controller'], 'antctl query endpoint');
      const [policies, addressGroups, appliedToGroups] = await Promise.all([
        getJSON<InternalNetworkPolicy[]>(endpoint, '/networkpolicies', global),
        getJSON<AddressGroup[]>(endpoint, '/addressgroups', global),
        getJSON<AppliedToGroup[]>(endpoint, '/appliedtogroups', global),
      ]);
      const result = queryEndpoint(
        { namespace: opts.namespace, name: opts.pod },
        policies,
        addressGroups,
        appliedToGroups,
      );
      process.stdout.write(formatObject(result, parseOutputFormat(opts.output), describe));
    });
  return cobraHelp(
    cmd,
    '  Query the policies of Pod frontend in Namespace default\n  $ antctl query endpoint -n default -p frontend',
  );
}

export function queryCommand(): Command {
  const query = groupCommand('query', 'Execute a user-provided query');
  query.addCommand(endpointCommand().exitOverride());
  return cobraHelp(query);
}
