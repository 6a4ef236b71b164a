// `antctl get networkpolicy|addressgroup|appliedtogroup [NAME]`: the controlplane objects — in
// agent mode what that agent received (its node's span), in controller mode all of them. The
// columns are the seed's (NAMESPACE NAME APPLIED-TO RULES) and Antrea's of that time for the
// groups (NAME POD-IPS, NAME PODS). A policy is named as the user named it (its sourceRef);
// NAME may also be the internal name (its uid).
import { Option } from 'commander';
import type { AddressGroup, AppliedToGroup, InternalNetworkPolicy } from '../../apis/index.js';
import { getJSON } from '../endpoint.js';
import { resourceCommand, summarize } from './resource.js';

export function networkPolicyCommand() {
  return resourceCommand<InternalNetworkPolicy, { namespace?: string }>({
    name: 'networkpolicy',
    aliases: ['networkpolicies', 'netpol', 'np'],
    short: 'Print NetworkPolicies',
    modes: ['agent', 'controller'],
    named: true,
    options: [new Option('-n, --namespace <string>', 'Namespace of the NetworkPolicy')],
    fetch: async ({ endpoint, global, opts, name }) =>
      (await getJSON<InternalNetworkPolicy[]>(endpoint, '/networkpolicies', global)).filter(
        (p) =>
          (opts.namespace === undefined || p.sourceRef.namespace === opts.namespace) &&
          (name === undefined || p.sourceRef.name === name || p.metadata.name === name),
      ),
    table: {
      header: ['NAMESPACE', 'NAME', 'APPLIED-TO', 'RULES'],
      row: (p) => [
        p.sourceRef.namespace ?? '',
        p.sourceRef.name,
        summarize(p.appliedToGroups),
        String(p.rules.length),
      ],
    },
  });
}

function groupCommand<G extends AddressGroup | AppliedToGroup>(spec: {
  name: string;
  aliases: string[];
  short: string;
  path: string;
  column: string;
  cell: (g: G) => string[];
}) {
  return resourceCommand<G, object>({
    name: spec.name,
    aliases: spec.aliases,
    short: spec.short,
    modes: ['agent', 'controller'],
    named: true,
    fetch: async ({ endpoint, global, name }) =>
      (await getJSON<G[]>(endpoint, spec.path, global)).filter(
        (g) => name === undefined || g.metadata.name === name,
      ),
    table: {
      header: ['NAME', spec.column],
      row: (g) => [g.metadata.name, summarize(spec.cell(g))],
    },
  });
}

export function addressGroupCommand() {
  return groupCommand<AddressGroup>({
    name: 'addressgroup',
    aliases: ['addressgroups', 'ag'],
    short: 'Print address groups',
    path: '/addressgroups',
    column: 'POD-IPS',
    cell: (g) => g.groupMembers.flatMap((m) => m.ips),
  });
}

export function appliedToGroupCommand() {
  return groupCommand<AppliedToGroup>({
    name: 'appliedtogroup',
    aliases: ['appliedtogroups', 'atg'],
    short: 'Print appliedto groups',
    path: '/appliedtogroups',
    column: 'PODS',
    cell: (g) => g.groupMembers.map((m) => `${m.pod.namespace}/${m.pod.name}`),
  });
}
