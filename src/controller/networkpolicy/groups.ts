// Groups of pods shared by every policy that uses the same selector (or the same ClusterGroup),
// their members, the nodes those members run on, and which groups a pod or namespace change can
// touch. Only the groups whose members really change are reported.
import { selectorMatches, type Labels } from '../../apis/index.js';
import type { ClusterState, NamespaceSlot, PodState } from './clusterstate.js';
import { GroupMembers } from './groupmembers.js';
import type { GroupSelector } from './groupselector.js';
import type { NodeSpan } from './nodespan.js';
import type { PolicyEntry } from './policyentry.js';

export type GroupRole = 'address' | 'appliedTo';
/**
 * A group's terms as a user names them: one selector stands for a list of itself, made only
 * when the group is new (most uses find it already there).
 */
export type GroupTerms = GroupSelector | readonly GroupSelector[];

export const ROLE_BIT: Readonly<Record<GroupRole, number>> = { address: 1, appliedTo: 2 };

/**
 * A group: its selector terms, its member pods (it is its own GroupMembers) and the policies
 * using it with their roles. One object per group, not three: fewer live objects make every
 * minor GC cheaper. Most groups have one user, so the first sits in two fields and a Map
 * (some 200 bytes) exists only for the rest.
 */
export class GroupState extends GroupMembers {
  private firstPolicy: PolicyEntry | undefined;
  /** The first policy's roles (ROLE_BIT mask). */
  private firstMask = 0;
  /** The other policies → their roles. */
  private otherPolicies: Map<PolicyEntry, number> | undefined;
  private addressUsers = 0;
  private appliedToUsers = 0;

  constructor(
    readonly name: string,
    /** One selector (most groups) is held alone, without a list of its own (56 bytes each). */
    public terms: GroupTerms,
  ) {
    super();
  }

  /** Its member pods: the group itself. */
  get members(): GroupMembers {
    return this;
  }

  /** The nodes of its members: the AppliedToGroup's span. */
  get nodes(): NodeSpan {
    return this;
  }

  /** Records a policy's use in a role; true when it is the first in that role. */
  addRef(policy: PolicyEntry, role: GroupRole): boolean {
    const mask = this.maskOf(policy);
    if (mask & ROLE_BIT[role]) return false;
    this.setMask(policy, mask | ROLE_BIT[role]);
    return this.countUsers(role, +1) === 1;
  }

  dropRef(policy: PolicyEntry, role: GroupRole): void {
    const mask = this.maskOf(policy);
    if (!(mask & ROLE_BIT[role])) return;
    this.setMask(policy, mask & ~ROLE_BIT[role]);
    this.countUsers(role, -1);
  }

  /** Whether some policy uses the group in the role (it then exists as that kind). */
  usedAs(role: GroupRole): boolean {
    return (role === 'address' ? this.addressUsers : this.appliedToUsers) > 0;
  }

  /** The policies that use the group in the role. */
  users(role: GroupRole): PolicyEntry[] {
    const bit = ROLE_BIT[role];
    const out: PolicyEntry[] = [];
    if (this.firstPolicy !== undefined && this.firstMask & bit) out.push(this.firstPolicy);
    this.otherPolicies?.forEach((mask, policy) => {
      if (mask & bit) out.push(policy);
    });
    return out;
  }

  get referenced(): boolean {
    return this.firstPolicy !== undefined || (this.otherPolicies?.size ?? 0) > 0;
  }

  /** The policy's role mask; 0 when it does not use the group. */
  private maskOf(policy: PolicyEntry): number {
    return policy === this.firstPolicy ? this.firstMask : (this.otherPolicies?.get(policy) ?? 0);
  }

  /** Sets the policy's role mask; 0 removes the policy. */
  private setMask(policy: PolicyEntry, mask: number): void {
    if (
      policy === this.firstPolicy ||
      (this.firstPolicy === undefined && !this.otherPolicies?.has(policy))
    ) {
      this.firstPolicy = mask === 0 ? undefined : policy;
      this.firstMask = mask;
    } else if (mask === 0) this.otherPolicies?.delete(policy);
    else (this.otherPolicies ??= new Map()).set(policy, mask);
  }

  private countUsers(role: GroupRole, delta: number): number {
    if (role === 'address') return (this.addressUsers += delta);
    return (this.appliedToUsers += delta);
  }
}

export class GroupStore {
  readonly groups = new Map<string, GroupState>();
  private readonly selectorGroups = new Set<GroupState>();

  constructor(
    private readonly cluster: ClusterState,
    /** Called for every group whose members (or a member's IPs, node or ports) changed. */
    private readonly onChange: (g: GroupState) => void,
  ) {}

  /** The group of this name, created and filled from the terms on first use. */
  obtain(name: string, terms: GroupTerms): GroupState {
    let g = this.groups.get(name);
    if (!g) {
      g = new GroupState(name, terms);
      this.groups.set(name, g);
      const found: PodState[] = [];
      for (const slot of this.index(g)) {
        if (!slot.labels) continue;
        for (const p of slot.pods.values()) if (this.matches(g, p, slot.labels)) found.push(p);
      }
      g.members.addNew(found);
    }
    return g;
  }

  /** Drops a policy's use of a group in a role; the group goes once no policy uses it. */
  release(name: string, role: GroupRole, policy: PolicyEntry): GroupState | undefined {
    const g = this.groups.get(name);
    if (!g) return undefined;
    g.dropRef(policy, role);
    if (!g.referenced) {
      this.unindex(g);
      this.groups.delete(name);
    }
    return g;
  }

  /** A ClusterGroup's definition changed: recompute its members from the new terms. */
  redefine(g: GroupState, terms: readonly GroupSelector[]): void {
    this.unindex(g);
    g.terms = terms;
    const covered = this.index(g);
    let changed = false;
    for (const p of [...g.members.values()]) {
      changed = this.syncMember(g, p.key, p, this.cluster.namespaceLabels(p.namespace)) || changed;
    }
    for (const slot of covered) changed = this.syncNamespace(g, slot) || changed;
    if (changed) this.onChange(g);
  }

  /**
   * A pod was added, changed or deleted (next undefined). Every group that holds the pod covers
   * its namespace, so the groups covering that namespace are the only candidates.
   */
  podChanged(prev: PodState | undefined, next: PodState | undefined): void {
    const pod = (next ?? prev)!;
    const slot = this.cluster.slot(pod.namespace);
    for (const g of slot?.groups ?? []) {
      if (this.syncMember(g, pod.key, next, slot!.labels)) this.onChange(g);
    }
  }

  /**
   * A namespace was added, relabelled or deleted: selector groups may start or stop covering
   * it, and every group covering it re-checks the namespace's pods (a namespace that appears
   * or goes changes them all).
   */
  namespaceChanged(name: string): void {
    const slot = this.cluster.slotFor(name);
    const labels = slot.labels;
    // Before any policy (an initial sync lists namespaces first) no group can be affected.
    if (slot.groups.size === 0 && this.selectorGroups.size === 0) {
      return this.cluster.dropIfEmpty(slot);
    }
    const affected = new Set<GroupState>(slot.groups);
    for (const g of this.selectorGroups) {
      const covers = labels !== undefined && this.coversNamespace(g, name, labels);
      if (covers === slot.groups.has(g)) continue;
      if (covers) slot.groups.add(g);
      else slot.groups.delete(g);
      affected.add(g);
    }
    for (const g of affected) if (this.syncNamespace(g, slot)) this.onChange(g);
    this.cluster.dropIfEmpty(slot);
  }

  /** Syncs the group's membership of every pod of the namespace; true when it changed. */
  private syncNamespace(g: GroupState, slot: NamespaceSlot): boolean {
    let changed = false;
    for (const p of slot.pods.values()) {
      changed = this.syncMember(g, p.key, p, slot.labels) || changed;
    }
    return changed;
  }

  /** Makes the pod a member or not as it matches now; true when the group's members changed. */
  private syncMember(
    g: GroupState,
    key: string,
    pod: PodState | undefined,
    nsLabels: Labels | undefined,
  ): boolean {
    const old = g.members.get(key);
    const is = pod !== undefined && nsLabels !== undefined && this.matches(g, pod, nsLabels);
    if (!is) {
      if (!old) return false;
      this.removeMember(g, old);
      return true;
    }
    if (old === pod) return false;
    if (old) this.removeMember(g, old);
    this.addMember(g, pod);
    return !old || !sameMemberData(old, pod);
  }

  /** Whether the pod, in a namespace with these labels, is in the group. */
  private matches(g: GroupState, p: PodState, nsLabels: Labels): boolean {
    // No list made for a lone term: this runs for every pod a group considers.
    if (!isTermList(g.terms)) return termMatches(g.terms, p, nsLabels);
    for (const t of g.terms) if (termMatches(t, p, nsLabels)) return true;
    return false;
  }

  private coversNamespace(g: GroupState, name: string, labels: Labels) {
    return termList(g.terms).some((t) =>
      t.namespace !== undefined
        ? t.namespace === name
        : selectorMatches(t.namespaceSelector ?? {}, labels),
    );
  }

  /** Indexes the group under the namespaces it covers now; returns them. */
  private index(g: GroupState): Iterable<NamespaceSlot> {
    const covered = this.coveredBy(g);
    for (const slot of covered) slot.groups.add(g);
    if (termList(g.terms).some((t) => t.namespace === undefined)) this.selectorGroups.add(g);
    return covered;
  }

  private unindex(g: GroupState): void {
    // The index follows every namespace change, so the namespaces covered now are those indexed.
    for (const slot of this.coveredBy(g)) {
      slot.groups.delete(g);
      this.cluster.dropIfEmpty(slot);
    }
    this.selectorGroups.delete(g);
  }

  /** Its terms' namespaces: named ones even before they exist (their pods join once they do). */
  private coveredBy(g: GroupState): Iterable<NamespaceSlot> {
    // One term (most groups) names each namespace once; only several can repeat one.
    const terms = termList(g.terms);
    if (terms.length === 1) return this.termCovers(terms[0]!);
    const out = new Set<NamespaceSlot>();
    for (const t of terms) for (const slot of this.termCovers(t)) out.add(slot);
    return out;
  }

  private termCovers(t: GroupSelector): NamespaceSlot[] {
    if (t.namespace !== undefined) return [this.cluster.slotFor(t.namespace)];
    return this.cluster.matchingNamespaces(t.namespaceSelector ?? {});
  }

  private addMember(g: GroupState, p: PodState): void {
    g.members.set(p);
  }

  private removeMember(g: GroupState, p: PodState): void {
    g.members.delete(p.key);
  }
}

function isTermList(t: GroupTerms): t is readonly GroupSelector[] {
  return Array.isArray(t);
}

/** The terms as a list (a new one for a lone term: for the less frequent callers). */
function termList(t: GroupTerms): readonly GroupSelector[] {
  return isTermList(t) ? t : [t];
}

/** Whether the pod, in a namespace with these labels, matches the term. */
function termMatches(t: GroupSelector, p: PodState, nsLabels: Labels): boolean {
  const inScope =
    t.namespace !== undefined
      ? t.namespace === p.namespace
      : selectorMatches(t.namespaceSelector ?? {}, nsLabels);
  return inScope && selectorMatches(t.podSelector ?? {}, p.labels);
}

function sameMemberData({ member: a }: PodState, { member: b }: PodState): boolean {
  return (
    a.node === b.node &&
    a.ips.length === b.ips.length &&
    a.ips.every((ip, i) => ip === b.ips[i]) &&
    JSON.stringify(a.ports) === JSON.stringify(b.ports)
  );
}
