// The agent's rule cache (Antrea's pkg/agent/controller/networkpolicy/cache.go): the
// controlplane objects this node received, each policy split into rules whose id is a hash of
// the rule's content, and indexes from groups and pods to the rules that use them. It reports
// what each change touches — rules added or removed, addresses that entered or left a group —
// and leaves realizing it to the reconciler.
import type {
  AddressGroup,
  AppliedToGroup,
  Direction,
  GroupMember,
  InternalNetworkPolicy,
  NetworkPolicyReference,
  Peer,
  RuleAction,
  ServiceMatch,
} from '../../apis/index.js';
import { flat } from '../openflow/flowkey.js';
import { SmallSet } from '../openflow/smallset.js';
import { isIPv6 } from './ipblock.js';
import type { NativeOrder, Placeable } from './priority.js';

export interface CachedRule extends Placeable {
  readonly id: string;
  readonly policyUID: string;
  readonly sourceRef: NetworkPolicyReference;
  readonly direction: Direction;
  /** The other side: `from` of an ingress rule, `to` of an egress rule. */
  readonly peer: Peer;
  readonly services: readonly ServiceMatch[];
  readonly action: RuleAction;
  readonly appliedToGroups: readonly string[];
  readonly order?: NativeOrder;
}

interface AddressGroupEntry {
  readonly group: AddressGroup;
  /** The members' IPv4 addresses (the pipeline is IPv4). */
  readonly ips: ReadonlySet<string>;
}

/** What an address group update changed, for the rules that use it. */
export interface AddressDelta {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** The group had not arrived before: its rules may just have become complete. */
  readonly firstSeen: boolean;
  readonly rules: Iterable<string>;
}

/** The rules and policies applied to a group. */
export interface GroupUsers {
  readonly rules: Iterable<string>;
  readonly policies: Iterable<string>;
}

const NONE: readonly string[] = [];

const podKey = (m: GroupMember): string => `${m.pod.namespace}/${m.pod.name}`;

function sorted(xs: readonly string[] | undefined): string[] {
  // Most lists hold one name: no Set and no sort for those (10,000 rules call this four times).
  if (xs === undefined || xs.length <= 1) return xs === undefined ? [] : [...xs];
  return [...new Set(xs)].sort();
}

/**
 * The rule as it is hashed: only what decides its flows, with lists in a canonical order. Names,
 * uids, CIDRs, protocols and port names hold none of the separators `|`, `;`, `,`, `:` and `-`
 * between them, so different rules give different texts.
 */
function canonical(r: Omit<CachedRule, 'id'>): string {
  const blocks = [...(r.peer.ipBlocks ?? [])]
    .map((b) => `${b.cidr}-${sorted(b.except).join(',')}`)
    .sort();
  const services = r.services.map((s) => `${s.protocol}:${s.port ?? ''}:${s.endPort ?? ''}`);
  const o = r.order;
  const order = o === undefined ? '' : `${o.tierPriority}:${o.policyPriority}:${o.rulePriority}`;
  // appliedToGroups is sorted by rulesOf.
  return (
    `${r.policyUID}|${r.direction}|${sorted(r.peer.addressGroups).join(',')}|${blocks.join(';')}|` +
    `${services.join(',')}|${r.action}|${r.appliedToGroups.join(',')}|${order}`
  );
}

/**
 * 64-bit content hash (two 32-bit multiplicative lanes, cyrb53's mixing) as 16 hex digits: an
 * id, not a secret, and an order of magnitude cheaper than a crypto digest for 10,000 rules.
 */
function hash64(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return flat((h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0'));
}

function ruleID(r: Omit<CachedRule, 'id'>): string {
  return hash64(canonical(r));
}

/** Splits a policy into rules. K8s NetworkPolicy rules are unordered, so their position is not part of them. */
export function rulesOf(p: InternalNetworkPolicy): CachedRule[] {
  const native = p.sourceRef.type !== 'K8sNetworkPolicy';
  const byID = new Map<string, CachedRule>();
  for (const r of p.rules) {
    const peer = r.direction === 'In' ? r.from : r.to;
    const base = {
      policyUID: p.metadata.uid,
      sourceRef: p.sourceRef,
      direction: r.direction,
      peer,
      services: r.services ?? [],
      action: r.action ?? 'Allow',
      appliedToGroups: sorted(r.appliedToGroups?.length ? r.appliedToGroups : p.appliedToGroups),
      ...(native
        ? {
            order: {
              tierPriority: p.tierPriority ?? 250,
              policyPriority: p.priority ?? 0,
              rulePriority: r.priority,
            },
          }
        : {}),
    };
    const id = ruleID(base);
    byID.set(id, { id, ...base });
  }
  return [...byID.values()];
}

export class RuleCache {
  private readonly policies = new Map<string, { policy: InternalNetworkPolicy; rules: string[] }>();
  private readonly rules = new Map<string, CachedRule>();
  private readonly addressGroups = new Map<string, AddressGroupEntry>();
  private readonly appliedToGroups = new Map<string, AppliedToGroup>();
  // Small sets: 10,000 address groups are used by a rule or two each.
  private readonly rulesByAddressGroup = new Map<string, SmallSet<string>>();
  private readonly rulesByAppliedToGroup = new Map<string, SmallSet<string>>();
  private readonly policiesByAppliedToGroup = new Map<string, SmallSet<string>>();
  /** Pod (`ns/name`) → applied-to groups it is a member of. */
  private readonly groupsByPod = new Map<string, SmallSet<string>>();

  rule(id: string): CachedRule | undefined {
    return this.rules.get(id);
  }

  allRules(): IterableIterator<CachedRule> {
    return this.rules.values();
  }

  policy(uid: string): InternalNetworkPolicy | undefined {
    return this.policies.get(uid)?.policy;
  }

  allPolicies(): InternalNetworkPolicy[] {
    return [...this.policies.values()].map((p) => p.policy);
  }

  addressGroup(name: string): AddressGroupEntry | undefined {
    return this.addressGroups.get(name);
  }

  appliedToGroup(name: string): AppliedToGroup | undefined {
    return this.appliedToGroups.get(name);
  }

  counts(): { networkPolicies: number; addressGroups: number; appliedToGroups: number } {
    return {
      networkPolicies: this.policies.size,
      addressGroups: this.addressGroups.size,
      appliedToGroups: this.appliedToGroups.size,
    };
  }

  /** A rule is realized only once every group it names has arrived, as in Antrea. */
  isComplete(r: CachedRule): boolean {
    for (const g of r.appliedToGroups) if (!this.appliedToGroups.has(g)) return false;
    for (const g of r.peer.addressGroups ?? []) if (!this.addressGroups.has(g)) return false;
    return true;
  }

  /** Adds or replaces a policy; rules whose content did not change keep their id. */
  upsertPolicy(p: InternalNetworkPolicy): { added: CachedRule[]; removed: CachedRule[] } {
    const old = this.policies.get(p.metadata.uid);
    const next = rulesOf(p);
    // A new policy (every policy of an initial sync) adds all its rules: no sets to compare.
    let [added, removed] = [next, [] as CachedRule[]];
    if (old !== undefined) {
      this.unindexPolicy(old.policy);
      const oldIDs = new Set(old.rules);
      const nextIDs = new Set(next.map((r) => r.id));
      removed = old.rules.filter((id) => !nextIDs.has(id)).map((id) => this.rules.get(id)!);
      for (const r of removed) this.unindexRule(r);
      added = next.filter((r) => !oldIDs.has(r.id));
    }
    for (const r of added) this.indexRule(r);
    this.policies.set(p.metadata.uid, { policy: p, rules: next.map((r) => r.id) });
    this.indexPolicy(p);
    return { added, removed };
  }

  deletePolicy(uid: string): CachedRule[] {
    const old = this.policies.get(uid);
    if (old === undefined) return [];
    this.unindexPolicy(old.policy);
    this.policies.delete(uid);
    const removed = old.rules.map((id) => this.rules.get(id)!);
    for (const r of removed) this.unindexRule(r);
    return removed;
  }

  upsertAddressGroup(g: AddressGroup): AddressDelta {
    const name = g.metadata.name;
    const old = this.addressGroups.get(name);
    const ips = new Set<string>();
    for (const m of g.groupMembers) for (const ip of m.ips) if (!isIPv6(ip)) ips.add(ip);
    this.addressGroups.set(name, { group: g, ips });
    const before = old?.ips;
    return {
      added: before === undefined ? [...ips] : [...ips].filter((ip) => !before.has(ip)),
      removed: before === undefined ? [] : [...before].filter((ip) => !ips.has(ip)),
      firstSeen: old === undefined,
      rules: this.rulesByAddressGroup.get(name) ?? NONE,
    };
  }

  /** The rules that used the group (they are incomplete until it comes back). */
  deleteAddressGroup(name: string): Iterable<string> {
    this.addressGroups.delete(name);
    return this.rulesByAddressGroup.get(name) ?? NONE;
  }

  upsertAppliedToGroup(g: AppliedToGroup): GroupUsers {
    const name = g.metadata.name;
    const old = this.appliedToGroups.get(name);
    for (const m of old?.groupMembers ?? []) this.groupsByPod.get(podKey(m))?.delete(name);
    for (const m of g.groupMembers) addTo(this.groupsByPod, podKey(m), name);
    this.appliedToGroups.set(name, g);
    return this.usersOfAppliedToGroup(name);
  }

  deleteAppliedToGroup(name: string): GroupUsers {
    for (const m of this.appliedToGroups.get(name)?.groupMembers ?? []) {
      this.groupsByPod.get(podKey(m))?.delete(name);
    }
    this.appliedToGroups.delete(name);
    return this.usersOfAppliedToGroup(name);
  }

  /** Rules and policies applied to a pod: what its interface appearing or going changes. */
  usersOfPod(namespace: string, name: string): { rules: Set<string>; policies: Set<string> } {
    const rules = new Set<string>();
    const policies = new Set<string>();
    for (const g of this.groupsByPod.get(`${namespace}/${name}`) ?? []) {
      const u = this.usersOfAppliedToGroup(g);
      for (const r of u.rules) rules.add(r);
      for (const p of u.policies) policies.add(p);
    }
    return { rules, policies };
  }

  private usersOfAppliedToGroup(name: string): GroupUsers {
    return {
      rules: this.rulesByAppliedToGroup.get(name) ?? NONE,
      policies: this.policiesByAppliedToGroup.get(name) ?? NONE,
    };
  }

  private indexRule(r: CachedRule): void {
    this.rules.set(r.id, r);
    for (const g of r.peer.addressGroups ?? []) addTo(this.rulesByAddressGroup, g, r.id);
    for (const g of r.appliedToGroups) addTo(this.rulesByAppliedToGroup, g, r.id);
  }

  private unindexRule(r: CachedRule): void {
    this.rules.delete(r.id);
    for (const g of r.peer.addressGroups ?? []) deleteFrom(this.rulesByAddressGroup, g, r.id);
    for (const g of r.appliedToGroups) deleteFrom(this.rulesByAppliedToGroup, g, r.id);
  }

  private indexPolicy(p: InternalNetworkPolicy): void {
    for (const g of p.appliedToGroups) addTo(this.policiesByAppliedToGroup, g, p.metadata.uid);
  }

  private unindexPolicy(p: InternalNetworkPolicy): void {
    for (const g of p.appliedToGroups) deleteFrom(this.policiesByAppliedToGroup, g, p.metadata.uid);
  }
}

function addTo(index: Map<string, SmallSet<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (set === undefined) {
    set = new SmallSet();
    index.set(key, set);
  }
  set.add(value);
}

function deleteFrom(index: Map<string, SmallSet<string>>, key: string, value: string): void {
  const set = index.get(key);
  set?.delete(value);
  if (set?.size === 0) index.delete(key);
}
