// The reference semantics: whether a connection is allowed, and which rules decided, computed
// from the same controlplane objects (internal NetworkPolicies and groups) the agents receive.
// Antrea-native tiers first (lower tier priority, then policy priority, then rule order; Allow,
// Drop and Reject end the evaluation, Pass skips to the K8s layer), then K8s NetworkPolicies
// (isolation per direction, union of allows), then the Baseline tier, then allow. A connection
// needs the source's egress and the destination's ingress.
import type {
  GroupMember,
  InternalNetworkPolicy,
  NetworkPolicyReference,
  NetworkPolicyRule,
  PodReference,
  Protocol,
  RuleAction,
  ServiceMatch,
} from '../../apis/index.js';
import { BASELINE_TIER_PRIORITY } from '../../apis/index.js';
import type { ControlPlaneSnapshot } from './controller.js';
import { ipBlockContains } from './ipblock.js';

export interface Endpoint {
  readonly pod?: PodReference;
  readonly ip: string;
}

export interface Connection {
  readonly src: Endpoint;
  readonly dst: Endpoint;
  readonly port: number;
  readonly protocol: Protocol;
}

export interface DecidingRule {
  readonly policy: NetworkPolicyReference;
  readonly direction: 'In' | 'Out';
  /** Index of the rule in its direction; -1 for a policy's implicit default deny. */
  readonly rule: number;
  readonly ruleName?: string;
  readonly action: RuleAction | 'Isolate';
  readonly tierPriority?: number;
  readonly priority?: number;
}

export interface DirectionVerdict {
  readonly allowed: boolean;
  /** Empty when no policy applies in this direction (allowed by default). */
  readonly decidedBy: readonly DecidingRule[];
}

export interface Verdict {
  readonly allowed: boolean;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
}

const OPEN: DirectionVerdict = { allowed: true, decidedBy: [] };
const podKey = (p: PodReference) => `${p.namespace}/${p.name}`;

export class PolicyEvaluator {
  /** AddressGroup → member IPs; AppliedToGroup → member pod keys. */
  private readonly addressGroups = new Map<string, Set<string>>();
  private readonly appliedToGroups = new Map<string, Set<string>>();
  /** Every member by pod and by IP, for the named ports of the destination. */
  private readonly members = new Map<string, GroupMember>();
  private readonly membersByIp = new Map<string, GroupMember>();
  private readonly tiered: InternalNetworkPolicy[];
  private readonly baseline: InternalNetworkPolicy[];
  private readonly k8s: InternalNetworkPolicy[];

  constructor(snapshot: ControlPlaneSnapshot) {
    const index = (m: GroupMember) => {
      this.members.set(podKey(m.pod), m);
      for (const ip of m.ips) this.membersByIp.set(ip, m);
    };
    for (const g of snapshot.addressGroups) {
      g.groupMembers.forEach(index);
      this.addressGroups.set(g.metadata.name, new Set(g.groupMembers.flatMap((m) => m.ips)));
    }
    for (const g of snapshot.appliedToGroups) {
      g.groupMembers.forEach(index);
      this.appliedToGroups.set(g.metadata.name, new Set(g.groupMembers.map((m) => podKey(m.pod))));
    }
    const antrea = snapshot.networkPolicies
      .filter((p) => p.sourceRef.type !== 'K8sNetworkPolicy')
      .sort(
        (a, b) =>
          (a.tierPriority ?? 0) - (b.tierPriority ?? 0) ||
          (a.priority ?? 0) - (b.priority ?? 0) ||
          a.sourceRef.name.localeCompare(b.sourceRef.name),
      );
    this.tiered = antrea.filter((p) => p.tierPriority !== BASELINE_TIER_PRIORITY);
    this.baseline = antrea.filter((p) => p.tierPriority === BASELINE_TIER_PRIORITY);
    this.k8s = snapshot.networkPolicies.filter((p) => p.sourceRef.type === 'K8sNetworkPolicy');
  }

  evaluate(c: Connection): Verdict {
    if (c.src.pod && c.dst.pod && podKey(c.src.pod) === podKey(c.dst.pod)) {
      return { allowed: true, egress: OPEN, ingress: OPEN }; // never leaves the pod
    }
    const egress = c.src.pod ? this.direction('Out', c.src.pod, c) : OPEN;
    const ingress = c.dst.pod ? this.direction('In', c.dst.pod, c) : OPEN;
    return { allowed: egress.allowed && ingress.allowed, egress, ingress };
  }

  /** The verdict of `pod`'s policies in one direction: Out for the source, In for the destination. */
  private direction(dir: 'In' | 'Out', pod: PodReference, c: Connection): DirectionVerdict {
    const key = podKey(pod);
    const first = this.firstMatch(this.tiered, dir, key, c);
    if (first && first.action !== 'Pass') {
      return { allowed: first.action === 'Allow', decidedBy: [first] };
    }
    const passed = first ? [first] : [];
    const applied = this.k8s.filter(
      (p) =>
        p.policyTypes?.includes(dir === 'In' ? 'Ingress' : 'Egress') &&
        p.appliedToGroups.some((g) => this.appliedToGroups.get(g)?.has(key)),
    );
    if (applied.length > 0) {
      const allows: DecidingRule[] = [];
      for (const p of applied) {
        p.rules.forEach((r) => {
          if (r.direction === dir && this.ruleMatches(r, dir, c))
            allows.push(decided(p, r, 'Allow'));
        });
      }
      if (allows.length > 0) return { allowed: true, decidedBy: [...passed, ...allows] };
      return {
        allowed: false,
        decidedBy: [...passed, ...applied.map((p) => isolation(p, dir))],
      };
    }
    const base = this.firstMatch(this.baseline, dir, key, c);
    if (base && base.action !== 'Pass') {
      return { allowed: base.action === 'Allow', decidedBy: [...passed, base] };
    }
    return { allowed: true, decidedBy: passed };
  }

  private firstMatch(
    policies: readonly InternalNetworkPolicy[],
    dir: 'In' | 'Out',
    key: string,
    c: Connection,
  ): DecidingRule | undefined {
    for (const p of policies) {
      for (const r of p.rules) {
        if (r.direction !== dir) continue;
        const applied = r.appliedToGroups ?? p.appliedToGroups;
        if (!applied.some((g) => this.appliedToGroups.get(g)?.has(key))) continue;
        if (this.ruleMatches(r, dir, c)) return decided(p, r, r.action ?? 'Allow');
      }
    }
    return undefined;
  }

  /** Peer and port match; the rule's applied-to side has been checked by the caller. */
  private ruleMatches(r: NetworkPolicyRule, dir: 'In' | 'Out', c: Connection): boolean {
    const peer = dir === 'In' ? r.from : r.to;
    const remote = dir === 'In' ? c.src : c.dst;
    const inPeer =
      (peer.addressGroups ?? []).some((g) => this.addressGroups.get(g)?.has(remote.ip)) ||
      (peer.ipBlocks ?? []).some((b) => ipBlockContains(b, remote.ip));
    if (!inPeer) return false;
    // Named ports resolve on the destination pod (the applied-to pod for ingress, the peer
    // for egress), from the ports its group membership carries.
    return servicesMatch(r.services, c, this.memberOf(c.dst));
  }

  private memberOf(ep: Endpoint): GroupMember | undefined {
    return ep.pod ? this.members.get(podKey(ep.pod)) : this.membersByIp.get(ep.ip);
  }
}

function servicesMatch(
  services: readonly ServiceMatch[] | undefined,
  c: Connection,
  dst: GroupMember | undefined,
): boolean {
  if (!services || services.length === 0) return true;
  return services.some((s) => {
    if (s.protocol !== c.protocol) return false;
    if (s.port === undefined) return true;
    if (typeof s.port === 'number') {
      return s.endPort !== undefined ? c.port >= s.port && c.port <= s.endPort : c.port === s.port;
    }
    return (dst?.ports ?? []).some(
      (p) => p.name === s.port && p.protocol === c.protocol && p.port === c.port,
    );
  });
}

function decided(p: InternalNetworkPolicy, r: NetworkPolicyRule, action: RuleAction): DecidingRule {
  return {
    policy: p.sourceRef,
    direction: r.direction,
    rule: r.priority,
    ...(r.name ? { ruleName: r.name } : {}),
    action,
    ...(p.tierPriority !== undefined ? { tierPriority: p.tierPriority } : {}),
    ...(p.priority !== undefined ? { priority: p.priority } : {}),
  };
}

function isolation(p: InternalNetworkPolicy, dir: 'In' | 'Out'): DecidingRule {
  return { policy: p.sourceRef, direction: dir, rule: -1, action: 'Isolate' };
}
