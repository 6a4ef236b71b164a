// Groups of pods shared by every policy that uses the same selector (or the same ClusterGroup),
// their members, the nodes those members run on, and which groups a pod or namespace change can
// touch. Only the groups whose members really change are reported.
import { selectorMatches } from '../../apis/index.js';
import type { ClusterState, PodState } from './clusterstate.js';
import type { GroupSelector } from './groupselector.js';

export class GroupState {
  readonly members = new Map<string, PodState>();
  /** Node → number of members on it: the AppliedToGroup's span. */
  readonly nodes = new Map<string, number>();
  readonly addressRefs = new Set<string>();
  readonly appliedToRefs = new Set<string>();
  readonly coveredNamespaces = new Set<string>();
  constructor(
    readonly name: string,
    public terms: readonly GroupSelector[],
  ) {}

  get referenced(): boolean {
    return this.addressRefs.size > 0 || this.appliedToRefs.size > 0;
  }
}

export type GroupRole = 'address' | 'appliedTo';

export class GroupStore {
  readonly groups = new Map<string, GroupState>();
  private readonly covering = new Map<string, Set<GroupState>>();
  private readonly selectorGroups = new Set<GroupState>();

  constructor(
    private readonly cluster: ClusterState,
    /** Called for every group whose members (or a member's IPs, node or ports) changed. */
    private readonly onChange: (g: GroupState) => void,
  ) {}

  /**
   * Adds a reference from a policy; creates and fills the group on first use. True when it is
   * the group's first reference in that role (the group then exists as that kind).
   */
  ref(name: string, terms: readonly GroupSelector[], role: GroupRole, policy: string): boolean {
    let g = this.groups.get(name);
    if (!g) {
      g = new GroupState(name, terms);
      this.groups.set(name, g);
      this.index(g);
      this.fill(g);
    }
    const refs = role === 'address' ? g.addressRefs : g.appliedToRefs;
    const first = refs.size === 0;
    refs.add(policy);
    return first;
  }

  unref(name: string, role: GroupRole, policy: string): GroupState | undefined {
    const g = this.groups.get(name);
    if (!g) return undefined;
    (role === 'address' ? g.addressRefs : g.appliedToRefs).delete(policy);
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
    this.index(g);
    let changed = false;
    for (const p of [...g.members.values()]) {
      if (!g.coveredNamespaces.has(p.namespace))
        changed = this.syncMember(g, p.key, undefined) || changed;
    }
    for (const ns of g.coveredNamespaces) {
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
      if (covers === g.coveredNamespaces.has(name)) continue;
      if (covers) this.cover(g, name);
      else {
        g.coveredNamespaces.delete(name);
        this.covering.get(name)?.delete(g);
      }
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
    const is = pod !== undefined && g.coveredNamespaces.has(pod.namespace) && this.matches(g, pod);
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

  private index(g: GroupState): void {
    for (const t of g.terms) {
      if (t.namespace !== undefined) {
        // Covered even before the namespace exists: its pods join once it does.
        this.cover(g, t.namespace);
      } else {
        this.selectorGroups.add(g);
        for (const ns of this.cluster.matchingNamespaces(t.namespaceSelector ?? {})) {
          this.cover(g, ns);
        }
      }
    }
  }

  private unindex(g: GroupState): void {
    for (const ns of g.coveredNamespaces) this.covering.get(ns)?.delete(g);
    g.coveredNamespaces.clear();
    this.selectorGroups.delete(g);
  }

  private cover(g: GroupState, ns: string): void {
    g.coveredNamespaces.add(ns);
    let set = this.covering.get(ns);
    if (!set) this.covering.set(ns, (set = new Set()));
    set.add(g);
  }

  private fill(g: GroupState): void {
    for (const ns of g.coveredNamespaces) {
      for (const p of this.cluster.podsIn(ns)) if (this.matches(g, p)) this.addMember(g, p);
    }
  }

  private addMember(g: GroupState, p: PodState): void {
    g.members.set(p.key, p);
    if (p.node !== undefined) g.nodes.set(p.node, (g.nodes.get(p.node) ?? 0) + 1);
  }

  private removeMember(g: GroupState, p: PodState): void {
    g.members.delete(p.key);
    if (p.node !== undefined) {
      const n = (g.nodes.get(p.node) ?? 1) - 1;
      if (n === 0) g.nodes.delete(p.node);
      else g.nodes.set(p.node, n);
    }
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
