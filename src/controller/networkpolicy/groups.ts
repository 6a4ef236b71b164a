// Groups of pods shared by every policy that uses the same selector (or the same ClusterGroup),
// their members, the nodes those members run on, and which groups a pod or namespace change can
// touch. Only the groups whose members really change are reported.
import { selectorMatches } from '../../apis/index.js';
import type { ClusterState, PodState } from './clusterstate.js';
import type { GroupSelector } from './groupselector.js';
import { NodeCounts } from './nodespan.js';

export type GroupRole = 'address' | 'appliedTo';
export const ROLE_BIT: Readonly<Record<GroupRole, number>> = { address: 1, appliedTo: 2 };

export class GroupState {
  readonly members = new Map<string, PodState>();
  /** The nodes of its members: the AppliedToGroup's span. */
  readonly nodes = new NodeCounts();
  /** Policy key → the roles (ROLE_BIT mask) it uses the group in; one map for both roles. */
  private readonly refs = new Map<string, number>();
  private addressUsers = 0;
  private appliedToUsers = 0;

  constructor(
    readonly name: string,
    public terms: readonly GroupSelector[],
  ) {}

  /** Records a policy's use in a role; true when it is the first in that role. */
  addRef(policy: string, role: GroupRole): boolean {
    const mask = this.refs.get(policy) ?? 0;
    if (mask & ROLE_BIT[role]) return false;
    this.refs.set(policy, mask | ROLE_BIT[role]);
    return this.count(role, +1) === 1;
  }

  dropRef(policy: string, role: GroupRole): void {
    const mask = this.refs.get(policy) ?? 0;
    if (!(mask & ROLE_BIT[role])) return;
    const rest = mask & ~ROLE_BIT[role];
    if (rest === 0) this.refs.delete(policy);
    else this.refs.set(policy, rest);
    this.count(role, -1);
  }

  /** Whether some policy uses the group in the role (it then exists as that kind). */
  usedAs(role: GroupRole): boolean {
    return (role === 'address' ? this.addressUsers : this.appliedToUsers) > 0;
  }

  /** Keys of the policies that use the group in the role. */
  *users(role: GroupRole): Iterable<string> {
    for (const [policy, mask] of this.refs) if (mask & ROLE_BIT[role]) yield policy;
  }

  get referenced(): boolean {
    return this.refs.size > 0;
  }

  private count(role: GroupRole, delta: number): number {
    if (role === 'address') return (this.addressUsers += delta);
    return (this.appliedToUsers += delta);
  }
}

export class GroupStore {
  readonly groups = new Map<string, GroupState>();
  private readonly covering = new Map<string, Set<GroupState>>();
  private readonly selectorGroups = new Set<GroupState>();

  constructor(
    private readonly cluster: ClusterState,
    /** Called for every group whose members (or a member's IPs, node or ports) changed. */
    private readonly onChange: (g: GroupState) => void,
  ) {}

  /** The group of this name, created and filled from the terms on first use. */
  obtain(name: string, terms: readonly GroupSelector[]): GroupState {
    let g = this.groups.get(name);
    if (!g) {
      g = new GroupState(name, terms);
      this.groups.set(name, g);
      this.fill(g, this.index(g));
    }
    return g;
  }

  /** Drops a policy's use of a group in a role; the group goes once no policy uses it. */
  release(name: string, role: GroupRole, policy: string): GroupState | undefined {
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
    for (const p of [...g.members.values()]) changed = this.syncMember(g, p.key, p) || changed;
    for (const ns of covered) {
      for (const p of this.cluster.podsIn(ns)) changed = this.syncMember(g, p.key, p) || changed;
    }
    if (changed) this.onChange(g);
  }

  /**
   * A pod was added, changed or deleted (next undefined). Every group that holds the pod covers
   * its namespace, so the groups covering that namespace are the only candidates.
   */
  podChanged(prev: PodState | undefined, next: PodState | undefined): void {
    const pod = (next ?? prev)!;
    for (const g of this.covering.get(pod.namespace) ?? []) {
      if (this.syncMember(g, pod.key, next)) this.onChange(g);
    }
  }

  /**
   * A namespace was added, relabelled or deleted: selector groups may start or stop covering
   * it, and every group covering it re-checks the namespace's pods (a namespace that appears
   * or goes changes them all).
   */
  namespaceChanged(name: string): void {
    const labels = this.cluster.namespaceLabels(name);
    const affected = new Set<GroupState>(this.covering.get(name));
    for (const g of this.selectorGroups) {
      const covers = labels !== undefined && this.coversNamespace(g, name, labels);
      if (covers === (this.covering.get(name)?.has(g) ?? false)) continue;
      if (covers) this.cover(g, name);
      else this.uncover(g, name);
      affected.add(g);
    }
    for (const g of affected) {
      let changed = false;
      for (const p of this.cluster.podsIn(name)) changed = this.syncMember(g, p.key, p) || changed;
      if (changed) this.onChange(g);
    }
  }

  /** Makes the pod a member or not as it matches now; true when the group's members changed. */
  private syncMember(g: GroupState, key: string, pod: PodState | undefined): boolean {
    const old = g.members.get(key);
    const is = pod !== undefined && this.matches(g, pod);
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

  private matches(g: GroupState, p: PodState): boolean {
    const nsLabels = this.cluster.namespaceLabels(p.namespace);
    if (!nsLabels) return false;
    for (const t of g.terms) {
      const inScope =
        t.namespace !== undefined
          ? t.namespace === p.namespace
          : selectorMatches(t.namespaceSelector ?? {}, nsLabels);
      if (inScope && selectorMatches(t.podSelector ?? {}, p.labels)) return true;
    }
    return false;
  }

  private coversNamespace(g: GroupState, name: string, labels: Readonly<Record<string, string>>) {
    return g.terms.some((t) =>
      t.namespace !== undefined
        ? t.namespace === name
        : selectorMatches(t.namespaceSelector ?? {}, labels),
    );
  }

  /** Indexes the group under the namespaces it covers now; returns them. */
  private index(g: GroupState): Set<string> {
    const covered = this.coveredBy(g);
    for (const ns of covered) this.cover(g, ns);
    if (g.terms.some((t) => t.namespace === undefined)) this.selectorGroups.add(g);
    return covered;
  }

  private unindex(g: GroupState): void {
    // The index follows every namespace change, so the namespaces covered now are those indexed.
    for (const ns of this.coveredBy(g)) this.uncover(g, ns);
    this.selectorGroups.delete(g);
  }

  /** Its terms' namespaces: named ones even before they exist (their pods join once they do). */
  private coveredBy(g: GroupState): Set<string> {
    const out = new Set<string>();
    for (const t of g.terms) {
      if (t.namespace !== undefined) out.add(t.namespace);
      else for (const ns of this.cluster.matchingNamespaces(t.namespaceSelector ?? {})) out.add(ns);
    }
    return out;
  }

  private cover(g: GroupState, ns: string): void {
    let set = this.covering.get(ns);
    if (!set) this.covering.set(ns, (set = new Set()));
    set.add(g);
  }

  private uncover(g: GroupState, ns: string): void {
    const set = this.covering.get(ns);
    set?.delete(g);
    if (set?.size === 0) this.covering.delete(ns);
  }

  private fill(g: GroupState, covered: Iterable<string>): void {
    for (const ns of covered) {
      for (const p of this.cluster.podsIn(ns)) if (this.matches(g, p)) this.addMember(g, p);
    }
  }

  private addMember(g: GroupState, p: PodState): void {
    g.members.set(p.key, p);
    if (p.node !== undefined) g.nodes.add(p.node);
  }

  private removeMember(g: GroupState, p: PodState): void {
    g.members.delete(p.key);
    if (p.node !== undefined) g.nodes.remove(p.node);
  }
}

function sameMemberData(a: PodState, b: PodState): boolean {
  return (
    a.node === b.node &&
    a.ips.length === b.ips.length &&
    a.ips.every((ip, i) => ip === b.ips[i]) &&
    JSON.stringify(a.ports) === JSON.stringify(b.ports)
  );
}
