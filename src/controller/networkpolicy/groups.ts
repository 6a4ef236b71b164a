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
  private readonly podGroups = new Map<string, Set<GroupState>>();

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
      for (const key of g.members.keys()) this.podGroups.get(key)?.delete(g);
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
    const wanted = new Map<string, PodState>();
    for (const ns of g.coveredNamespaces) {
      for (const p of this.cluster.podsIn(ns)) if (this.matches(g, p)) wanted.set(p.key, p);
    }
    let changed = false;
    for (const [key, p] of [...g.members]) {
      if (!wanted.has(key)) changed = this.removeMember(g, p) || changed;
    }
    for (const p of wanted.values()) {
      if (!g.members.has(p.key)) changed = this.addMember(g, p) || changed;
    }
    if (changed) this.onChange(g);
  }

  /** A pod was added, changed or deleted (next undefined). */
  podChanged(prev: PodState | undefined, next: PodState | undefined): void {
    const key = (next ?? prev)!.key;
    const candidates = new Set<GroupState>(this.podGroups.get(key));
    if (next) for (const g of this.covering.get(next.namespace) ?? []) candidates.add(g);
    for (const g of candidates) {
      const was = g.members.has(key);
      const is = next !== undefined && this.matches(g, next);
      if (is) {
        const old = g.members.get(key);
        if (!was) this.addMember(g, next);
        else if (old !== next) this.replaceMember(g, old!, next);
        if (!was || !sameMemberData(old!, next)) this.onChange(g);
      } else if (was) {
        this.removeMember(g, g.members.get(key)!);
        this.onChange(g);
      }
    }
  }

  /** A namespace was added, relabelled or deleted: selector groups may start or stop covering it. */
  namespaceChanged(name: string): void {
    const labels = this.cluster.namespaceLabels(name);
    for (const g of this.selectorGroups) {
      const covers = labels !== undefined && this.coversNamespace(g, name, labels);
      const did = g.coveredNamespaces.has(name);
      if (covers === did) continue;
      let changed = false;
      if (covers) {
        this.cover(g, name);
        for (const p of this.cluster.podsIn(name)) {
          if (this.matches(g, p)) changed = this.addMember(g, p) || changed;
        }
      } else {
        g.coveredNamespaces.delete(name);
        this.covering.get(name)?.delete(g);
        for (const p of [...g.members.values()]) {
          if (p.namespace === name) changed = this.removeMember(g, p) || changed;
        }
      }
      if (changed) this.onChange(g);
    }
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
        if (this.cluster.namespaces.has(t.namespace)) this.cover(g, t.namespace);
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

  private addMember(g: GroupState, p: PodState): boolean {
    g.members.set(p.key, p);
    let set = this.podGroups.get(p.key);
    if (!set) this.podGroups.set(p.key, (set = new Set()));
    set.add(g);
    if (p.node !== undefined) g.nodes.set(p.node, (g.nodes.get(p.node) ?? 0) + 1);
    return true;
  }

  private removeMember(g: GroupState, p: PodState): boolean {
    g.members.delete(p.key);
    this.podGroups.get(p.key)?.delete(g);
    if (p.node !== undefined) {
      const n = (g.nodes.get(p.node) ?? 1) - 1;
      if (n === 0) g.nodes.delete(p.node);
      else g.nodes.set(p.node, n);
    }
    return true;
  }

  private replaceMember(g: GroupState, old: PodState, next: PodState): void {
    this.removeMember(g, old);
    this.addMember(g, next);
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
