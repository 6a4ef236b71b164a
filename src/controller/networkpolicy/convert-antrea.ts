// Antrea-native policies (ClusterNetworkPolicy, namespaced NetworkPolicy) → internal
// NetworkPolicy: appliedTo terms and selector peers become groups, ClusterGroup/Group references
// become the group named after them (plus their ipBlocks inline), rules keep their action and
// order.
import type {
  AntreaPeer,
  AntreaRule,
  AntreaPolicySpec,
  AppliedTo,
  IPBlockRef,
  InternalNetworkPolicy,
  KubeObject,
  NetworkPolicyRule,
  Peer,
  ServiceMatch,
} from '../../apis/index.js';
import { MATCH_ALL_PEER, NO_PEER, PeerBuilder, metadataOf, servicesOf } from './convert-k8s.js';
import { exactCopy } from './exactcopy.js';
import type { GroupNeeds } from './groupneeds.js';
import type { GroupRole } from './groups.js';
import type { Mutable } from './mutable.js';
import type { PolicyRef } from './policyref.js';

const NO_IP_BLOCKS: readonly IPBlockRef[] = Object.freeze([]);

/** Cluster-scoped policies select across namespaces; namespaced ones inside their own. */
function termGroup(
  t: AppliedTo | AntreaPeer,
  namespace: string | undefined,
  role: GroupRole,
  needs: GroupNeeds,
): { name?: string; ipBlocks: readonly IPBlockRef[] } {
  if (t.group) return needs.named(namespace, t.group, role);
  const sel =
    t.namespaceSelector || namespace === undefined
      ? { namespaceSelector: t.namespaceSelector ?? {}, podSelector: t.podSelector }
      : { namespace, podSelector: t.podSelector };
  return { name: needs.selector(sel, role), ipBlocks: NO_IP_BLOCKS };
}

function appliedToGroups(
  terms: readonly AppliedTo[] | undefined,
  namespace: string | undefined,
  needs: GroupNeeds,
): string[] {
  const names: string[] = [];
  for (const t of terms ?? []) {
    const g = termGroup(t, namespace, 'appliedTo', needs);
    if (g.name !== undefined && !names.includes(g.name)) names.push(g.name);
  }
  return exactCopy(names);
}

/** One ordinary peer (selectors, a group, an ipBlock) into the rule's peer. */
function addPeer(
  peer: PeerBuilder,
  p: AntreaPeer,
  namespace: string | undefined,
  needs: GroupNeeds,
): void {
  if (p.ipBlock) return peer.blocks([p.ipBlock]);
  const g = termGroup(p, namespace, 'address', needs);
  peer.group(g.name);
  peer.blocks(g.ipBlocks);
}

function peerOf(
  peers: readonly AntreaPeer[] | undefined,
  namespace: string | undefined,
  needs: GroupNeeds,
): Peer {
  if (!peers || peers.length === 0) return MATCH_ALL_PEER;
  const peer = PeerBuilder.reused();
  for (const p of peers) addPeer(peer, p, namespace, needs);
  return peer.build();
}

/** A peer whose namespace depends on the applied-to pod's namespace. */
function isPerNamespacePeer(p: AntreaPeer): boolean {
  return p.namespaces?.match === 'Self' || (p.namespaces?.sameLabels?.length ?? 0) > 0;
}

function hasPerNamespaceRule(rules: AntreaPolicySpec['ingress']): boolean {
  return rules?.some((r) => (r.from ?? r.to)?.some(isPerNamespacePeer) ?? false) ?? false;
}

/**
 * Rules with `namespaces: {match: Self}` or `sameLabels` peers expand, as in Antrea, into one
 * rule per namespace of the applied-to: applied to that namespace's pods, with the peer resolved
 * against that namespace (Self) or the namespaces sharing its label values (sameLabels).
 */
function expandPerNamespace(
  terms: readonly AppliedTo[],
  peers: readonly AntreaPeer[],
  needs: GroupNeeds,
): { appliedTo: string; peer: Peer }[] {
  const out: { appliedTo: string; peer: Peer }[] = [];
  for (const t of terms) {
    for (const ns of needs.namespaces(t.namespaceSelector ?? {})) {
      const peer = PeerBuilder.reused();
      for (const p of peers) {
        if (!isPerNamespacePeer(p)) {
          addPeer(peer, p, undefined, needs);
          continue;
        }
        if (p.namespaces?.match === 'Self') {
          peer.group(needs.selector({ namespace: ns.name, podSelector: p.podSelector }, 'address'));
          continue;
        }
        const keys = p.namespaces?.sameLabels ?? [];
        // A namespace lacking one of the labels shares them with nobody.
        if (!keys.every((k) => k in ns.labels)) continue;
        const matchLabels = Object.fromEntries(keys.map((k) => [k, ns.labels[k]!]));
        peer.group(
          needs.selector(
            { namespaceSelector: { matchLabels }, podSelector: p.podSelector },
            'address',
          ),
        );
      }
      if (peer.empty) continue;
      out.push({
        appliedTo: needs.selector({ namespace: ns.name, podSelector: t.podSelector }, 'appliedTo'),
        peer: peer.build(),
      });
    }
  }
  return out;
}

/** One internal rule; the source rule's optional name and the applied-to only when present. */
function ruleOf(
  direction: 'In' | 'Out',
  peer: Peer,
  r: AntreaRule,
  priority: number,
  services: readonly ServiceMatch[],
  appliedTo: readonly string[] | undefined,
): NetworkPolicyRule {
  const rule: Mutable<NetworkPolicyRule> = {
    direction,
    from: direction === 'In' ? peer : NO_PEER,
    to: direction === 'Out' ? peer : NO_PEER,
    services,
    priority,
    action: r.action ?? 'Allow',
  };
  if (r.name) rule.name = r.name;
  if (appliedTo) rule.appliedToGroups = appliedTo;
  return rule;
}

export function convertAntreaPolicy(
  obj: KubeObject & { readonly spec: AntreaPolicySpec },
  ref: PolicyRef,
  uid: string,
  tierPriority: number,
  needs: GroupNeeds,
): InternalNetworkPolicy {
  const namespace = ref.namespace;
  const spec = obj.spec;
  const rules: NetworkPolicyRule[] = [];
  const perRule = !spec.appliedTo || spec.appliedTo.length === 0;
  const allApplied: string[] = perRule ? [] : appliedToGroups(spec.appliedTo, namespace, needs);
  const perNamespace = hasPerNamespaceRule(spec.ingress) || hasPerNamespaceRule(spec.egress);
  const add = (direction: 'In' | 'Out', list: AntreaPolicySpec['ingress']) => {
    (list ?? []).forEach((r, i) => {
      const peers = (direction === 'In' ? r.from : r.to) ?? [];
      const services = servicesOf(r.ports);
      if (peers.some(isPerNamespacePeer)) {
        for (const x of expandPerNamespace(
          perRule ? (r.appliedTo ?? []) : spec.appliedTo!,
          peers,
          needs,
        )) {
          if (!allApplied.includes(x.appliedTo)) allApplied.push(x.appliedTo);
          rules.push(ruleOf(direction, x.peer, r, i, services, [x.appliedTo]));
        }
        return;
      }
      const peer = peerOf(direction === 'In' ? r.from : r.to, namespace, needs);
      // Once some rules are per namespace, every rule names its own applied-to groups.
      const ruleApplied =
        perRule || perNamespace
          ? appliedToGroups(perRule ? r.appliedTo : spec.appliedTo, namespace, needs)
          : undefined;
      for (const g of ruleApplied ?? []) if (!allApplied.includes(g)) allApplied.push(g);
      rules.push(ruleOf(direction, peer, r, i, services, ruleApplied));
    });
  };
  add('In', spec.ingress);
  add('Out', spec.egress);
  return {
    kind: 'NetworkPolicy',
    metadata: metadataOf(uid, namespace, obj.metadata.generation),
    rules: exactCopy(rules),
    appliedToGroups: exactCopy(allApplied),
    priority: spec.priority,
    tierPriority,
    ...(perRule || perNamespace ? { appliedToPerRule: true } : {}),
    sourceRef: {
      type: ref.type,
      ...(namespace !== undefined ? { namespace } : {}),
      name: ref.name,
      uid,
    },
  };
}
