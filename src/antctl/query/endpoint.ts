// Which policies select a pod, from the controller's policies and groups: those applied to it
// (an AppliedToGroup of the policy, or of one of its rules, holds the pod), and the rules that
// name it as a peer — ingress rules whose sources and egress rules whose destinations include
// it (an AddressGroup of the rule holds the pod). As Antrea's endpoint query answers it.
import type {
  AddressGroup,
  AppliedToGroup,
  InternalNetworkPolicy,
  NetworkPolicyReference,
} from '../../apis/index.js';
import type { PodRef } from '../podref.js';

export interface RuleRef {
  readonly policy: NetworkPolicyReference;
  /** The rule's position among the policy's rules of its direction. */
  readonly index: number;
  readonly action: string;
}

export interface EndpointQueryResult {
  readonly endpoint: PodRef;
  readonly appliedPolicies: readonly NetworkPolicyReference[];
  readonly ingressRules: readonly RuleRef[];
  readonly egressRules: readonly RuleRef[];
}

function holding(groups: readonly (AddressGroup | AppliedToGroup)[], pod: PodRef): Set<string> {
  return new Set(
    groups
      .filter((g) =>
        g.groupMembers.some((m) => m.pod.namespace === pod.namespace && m.pod.name === pod.name),
      )
      .map((g) => g.metadata.name),
  );
}

export function queryEndpoint(
  pod: PodRef,
  policies: readonly InternalNetworkPolicy[],
  addressGroups: readonly AddressGroup[],
  appliedToGroups: readonly AppliedToGroup[],
): EndpointQueryResult {
  const address = holding(addressGroups, pod);
  const appliedTo = holding(appliedToGroups, pod);
  const applied: NetworkPolicyReference[] = [];
  const ingress: RuleRef[] = [];
  const egress: RuleRef[] = [];
  for (const p of policies) {
    const groups = [...p.appliedToGroups, ...p.rules.flatMap((r) => r.appliedToGroups ?? [])];
    if (groups.some((g) => appliedTo.has(g))) applied.push(p.sourceRef);
    const seen = { In: 0, Out: 0 };
    for (const r of p.rules) {
      const index = seen[r.direction]++;
      const peer = r.direction === 'In' ? r.from : r.to;
      if (!(peer.addressGroups ?? []).some((g) => address.has(g))) continue;
      const ref = { policy: p.sourceRef, index, action: r.action ?? 'Allow' };
      (r.direction === 'In' ? ingress : egress).push(ref);
    }
  }
  return { endpoint: pod, appliedPolicies: applied, ingressRules: ingress, egressRules: egress };
}
