// The controller's NetworkPolicy computation: from Pods, Namespaces, policies, Tiers and
// (Cluster)Groups to internal NetworkPolicies, AddressGroups and AppliedToGroups with their
// spans. Incremental: every input change touches only what depends on it and yields the
// add/update/delete events of exactly the objects that changed.
import type {
  AddressGroup,
  AppliedToGroup,
  ClusterGroup,
  ClusterNetworkPolicy,
  AntreaNetworkPolicy,
  Group,
  GroupMember,
  InternalNetworkPolicy,
  KubeObject,
  Namespace,
  NetworkPolicy,
  Pod,
  Tier,
} from '../../apis/index.js';
import { CRD_GROUP, DEFAULT_TIER_NAME, DEFAULT_TIERS } from '../../apis/index.js';
import { ClusterState, namespaceStateOf, podStateOf } from './clusterstate.js';
import { convertAntreaPolicy } from './convert-antrea.js';
import { convertK8sPolicy } from './convert-k8s.js';
import { EventBatch, type ControlPlaneEvent, type ControlPlaneKind } from './events.js';
import type { GroupNeeds } from './groupneeds.js';
import { GroupStore, type GroupRole, type GroupState } from './groups.js';
import { groupNameFor, selectorKey, type GroupSelector } from './groupselector.js';
import { NamedGroups, namedGroupKey } from './namedgroups.js';
import { policyKey, policyRefOf, policyTypeOf, uidOf, type PolicyRef } from './policyref.js';

interface PolicyEntry {
  readonly ref: PolicyRef;
  readonly source: KubeObject;
  internal: InternalNetworkPolicy | undefined;
  groups: Map<string, Set<GroupRole>>;
  /** ClusterGroup/Group keys the conversion read. */
  namedDeps: Set<string>;
  /** The conversion read the namespace list (per-namespace peers). */
  namespaceDependent: boolean;
}

export interface ControlPlaneSnapshot {
  readonly networkPolicies: readonly InternalNetworkPolicy[];
  readonly addressGroups: readonly AddressGroup[];
  readonly appliedToGroups: readonly AppliedToGroup[];
}

export type Listener = (events: readonly ControlPlaneEvent[]) => void;

function isCrd(obj: KubeObject): boolean {
  return (obj.apiVersion ?? '').split('/')[0] === CRD_GROUP;
}

export class NetworkPolicyController {
  private readonly cluster = new ClusterState();
  private readonly batch = new EventBatch();
  private readonly groups: GroupStore;
  private readonly policies = new Map<string, PolicyEntry>();
  private readonly byName = new Map<string, PolicyEntry>();
  private readonly tiers = new Map<string, number>(Object.entries(DEFAULT_TIERS));
  private readonly named = new NamedGroups();
  /** Named (ClusterGroup/Group) pod groups → the key of the terms they were filled from. */
  private readonly namedTerms = new Map<string, string>();
  private readonly listeners = new Set<Listener>();

  constructor() {
    this.groups = new GroupStore(this.cluster, (g) => this.groupChanged(g));
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  // ---- inputs ---------------------------------------------------------------------------------

  /** Adds or updates any supported object; returns the events it caused. */
  apply(obj: KubeObject): ControlPlaneEvent[] {
    const policyType = policyTypeOf(obj);
    if (policyType) this.upsertPolicy(obj, policyType);
    else if (obj.kind === 'Namespace') this.upsertNamespace(obj as Namespace);
    else if (obj.kind === 'Pod') this.upsertPod(obj as Pod);
    else if (obj.kind === 'Tier' && isCrd(obj)) this.upsertTier(obj as Tier);
    else if (obj.kind === 'ClusterGroup' && isCrd(obj))
      this.upsertNamedGroup(obj as ClusterGroup, false);
    else if (obj.kind === 'Group' && isCrd(obj)) this.upsertNamedGroup(obj as Group, true);
    return this.flush();
  }

  /** Removes an object given by apiVersion/kind/namespace/name; returns the events it caused. */
  delete(obj: KubeObject): ControlPlaneEvent[] {
    const name = obj.metadata.name ?? '';
    const policyType = policyTypeOf(obj);
    if (policyType) this.deletePolicy(policyRefOf(obj, policyType));
    else if (obj.kind === 'Namespace') this.deleteNamespace(name);
    else if (obj.kind === 'Pod') this.deletePod(`${obj.metadata.namespace ?? 'default'}/${name}`);
    else if (obj.kind === 'Tier') this.deleteTier(name);
    else if (obj.kind === 'ClusterGroup') this.deleteNamedGroup(namedGroupKey(undefined, name));
    else if (obj.kind === 'Group') {
      this.deleteNamedGroup(namedGroupKey(obj.metadata.namespace ?? 'default', name));
    }
    return this.flush();
  }

  private upsertNamespace(ns: Namespace): void {
    this.cluster.setNamespace(namespaceStateOf(ns));
    this.groups.namespaceChanged(ns.metadata.name ?? '');
    this.reconvert((e) => e.namespaceDependent);
  }

  private deleteNamespace(name: string): void {
    if (!this.cluster.deleteNamespace(name)) return;
    this.groups.namespaceChanged(name);
    this.reconvert((e) => e.namespaceDependent);
  }

  private upsertPod(pod: Pod): void {
    const next = podStateOf(pod);
    const key = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
    if (!next) return this.deletePod(key);
    const prev = this.cluster.setPod(next);
    this.groups.podChanged(prev, next);
  }

  private deletePod(key: string): void {
    const prev = this.cluster.deletePod(key);
    if (prev) this.groups.podChanged(prev, undefined);
  }

  private upsertTier(tier: Tier): void {
    const name = (tier.metadata.name ?? '').toLowerCase();
    if (this.tiers.get(name) === tier.spec.priority) return;
    this.tiers.set(name, tier.spec.priority);
    this.reconvert((e) => this.tierOf(e) === name);
  }

  private deleteTier(name: string): void {
    const lower = name.toLowerCase();
    if (lower in DEFAULT_TIERS || !this.tiers.delete(lower)) return;
    this.reconvert((e) => this.tierOf(e) === lower);
  }

  private upsertNamedGroup(obj: ClusterGroup | Group, namespaced: boolean): void {
    this.namedGroupChanged(this.named.set(obj, namespaced));
  }

  private deleteNamedGroup(key: string): void {
    if (this.named.delete(key)) this.namedGroupChanged(key);
  }

  private namedGroupChanged(key: string): void {
    // Parents that list this group as a child change too: re-resolve every named group in use
    // (there are few); policies record every group their resolution read, children included.
    for (const [name, termsKey] of this.namedTerms) {
      const g = this.groups.groups.get(name);
      const terms = this.named.resolve(name).terms;
      const next = terms.map(selectorKey).join(';');
      if (g && next !== termsKey) {
        this.namedTerms.set(name, next);
        this.groups.redefine(g, terms);
      }
    }
    this.reconvert((e) => e.namedDeps.has(key));
  }

  private upsertPolicy(obj: KubeObject, type: PolicyRef['type']): void {
    const ref = policyRefOf(obj, type);
    const key = policyKey(ref);
    const entry: PolicyEntry = this.policies.get(key) ?? {
      ref,
      source: obj,
      internal: undefined,
      groups: new Map(),
      namedDeps: new Set(),
      namespaceDependent: false,
    };
    (entry as { source: KubeObject }).source = obj;
    this.policies.set(key, entry);
    this.convert(entry);
  }

  private deletePolicy(ref: PolicyRef): void {
    const key = policyKey(ref);
    const entry = this.policies.get(key);
    if (!entry) return;
    this.policies.delete(key);
    if (entry.internal) {
      this.byName.delete(entry.internal.metadata.name);
      this.batch.add('DELETED', 'NetworkPolicy', entry.internal.metadata.name);
    }
    this.releaseGroups(key, entry.groups, new Map());
  }

  // ---- conversion -----------------------------------------------------------------------------

  private tierOf(e: PolicyEntry): string | undefined {
    if (e.ref.type === 'K8sNetworkPolicy') return undefined;
    const spec = (e.source as ClusterNetworkPolicy).spec;
    return (spec.tier ?? DEFAULT_TIER_NAME).toLowerCase();
  }

  private reconvert(which: (e: PolicyEntry) => boolean): void {
    for (const e of this.policies.values()) if (which(e)) this.convert(e);
  }

  private convert(entry: PolicyEntry): void {
    const key = policyKey(entry.ref);
    const wanted = new Map<string, Set<GroupRole>>();
    const namedDeps = new Set<string>();
    let namespaceDependent = false;
    const terms = new Map<string, readonly GroupSelector[]>();
    const want = (name: string, role: GroupRole, t: readonly GroupSelector[]) => {
      let roles = wanted.get(name);
      if (!roles) wanted.set(name, (roles = new Set()));
      roles.add(role);
      terms.set(name, t);
    };
    const needs: GroupNeeds = {
      selector: (sel, role) => {
        const name = groupNameFor(selectorKey(sel));
        want(name, role, [sel]);
        return name;
      },
      named: (namespace, name, role) => {
        const gkey = namedGroupKey(namespace, name);
        const seen = new Set<string>();
        const r = this.named.resolve(gkey, seen);
        for (const k of seen) namedDeps.add(k);
        if (r.terms.length === 0 && r.ipBlocks.length > 0) return { ipBlocks: r.ipBlocks };
        want(gkey, role, r.terms);
        if (!this.namedTerms.has(gkey))
          this.namedTerms.set(gkey, r.terms.map(selectorKey).join(';'));
        return { name: gkey, ipBlocks: r.ipBlocks };
      },
      namespaces: (selector) => {
        namespaceDependent = true;
        return this.cluster
          .matchingNamespaces(selector)
          .sort()
          .map((name) => ({ name, labels: this.cluster.namespaceLabels(name)! }));
      },
    };

    const obj = entry.source;
    let internal: InternalNetworkPolicy | undefined;
    const uid = uidOf(obj, entry.ref);
    if (entry.ref.type === 'K8sNetworkPolicy') {
      internal = convertK8sPolicy(obj as NetworkPolicy, entry.ref, uid, needs);
    } else {
      const tierPriority = this.tiers.get(this.tierOf(entry)!);
      // A policy whose tier does not exist is not realized (admission refuses it in a cluster).
      if (tierPriority !== undefined) {
        internal = convertAntreaPolicy(
          obj as ClusterNetworkPolicy | AntreaNetworkPolicy,
          entry.ref,
          uid,
          tierPriority,
          needs,
        );
      }
    }

    // Take the new group references before dropping the old ones, so a group used by both
    // versions is never deleted and re-created.
    for (const [name, roles] of wanted) {
      for (const role of roles) {
        if (entry.groups.get(name)?.has(role)) continue;
        const existed = this.groups.groups.get(name);
        const hadRole =
          existed && (role === 'address' ? existed.addressRefs : existed.appliedToRefs).size > 0;
        this.groups.ref(name, terms.get(name)!, role, key);
        if (!hadRole)
          this.batch.add('ADDED', role === 'address' ? 'AddressGroup' : 'AppliedToGroup', name);
      }
    }
    this.releaseGroups(key, entry.groups, wanted);
    entry.groups = wanted;
    entry.namedDeps = namedDeps;
    entry.namespaceDependent = namespaceDependent;

    const prev = entry.internal;
    entry.internal = internal;
    if (prev && (!internal || prev.metadata.name !== internal.metadata.name)) {
      this.byName.delete(prev.metadata.name);
      this.batch.add('DELETED', 'NetworkPolicy', prev.metadata.name);
    }
    if (internal) {
      this.byName.set(internal.metadata.name, entry);
      if (!prev || prev.metadata.name !== internal.metadata.name) {
        this.batch.add('ADDED', 'NetworkPolicy', internal.metadata.name);
      } else if (JSON.stringify(prev) !== JSON.stringify(internal)) {
        this.batch.add('MODIFIED', 'NetworkPolicy', internal.metadata.name);
      }
    }
  }

  private releaseGroups(
    key: string,
    had: Map<string, Set<GroupRole>>,
    keep: Map<string, Set<GroupRole>>,
  ): void {
    for (const [name, roles] of had) {
      for (const role of roles) {
        if (keep.get(name)?.has(role)) continue;
        const g = this.groups.unref(name, role, key);
        if (!g) continue;
        const left = role === 'address' ? g.addressRefs : g.appliedToRefs;
        if (left.size === 0) {
          this.batch.add('DELETED', role === 'address' ? 'AddressGroup' : 'AppliedToGroup', name);
        }
        if (!g.referenced) this.namedTerms.delete(name);
      }
    }
  }

  private groupChanged(g: GroupState): void {
    if (g.addressRefs.size > 0) this.batch.add('MODIFIED', 'AddressGroup', g.name);
    if (g.appliedToRefs.size > 0) this.batch.add('MODIFIED', 'AppliedToGroup', g.name);
  }

  private flush(): ControlPlaneEvent[] {
    const events = this.batch.drain();
    if (events.length > 0) for (const l of this.listeners) l(events);
    return events;
  }

  // ---- outputs --------------------------------------------------------------------------------

  getNetworkPolicy(name: string): InternalNetworkPolicy | undefined {
    return this.byName.get(name)?.internal;
  }

  getAddressGroup(name: string): AddressGroup | undefined {
    const g = this.groups.groups.get(name);
    if (!g || g.addressRefs.size === 0) return undefined;
    return { kind: 'AddressGroup', metadata: { name }, groupMembers: membersOf(g) };
  }

  getAppliedToGroup(name: string): AppliedToGroup | undefined {
    const g = this.groups.groups.get(name);
    if (!g || g.appliedToRefs.size === 0) return undefined;
    return { kind: 'AppliedToGroup', metadata: { name }, groupMembers: membersOf(g) };
  }

  networkPolicyNames(): string[] {
    return [...this.byName.keys()];
  }

  groupNames(kind: 'AddressGroup' | 'AppliedToGroup'): string[] {
    const out: string[] = [];
    for (const g of this.groups.groups.values()) {
      if ((kind === 'AddressGroup' ? g.addressRefs : g.appliedToRefs).size > 0) out.push(g.name);
    }
    return out;
  }

  /** The nodes that need the object: where its applied-to pods run. */
  spanOf(kind: ControlPlaneKind, name: string): Set<string> {
    const span = new Set<string>();
    const addAppliedTo = (atg: string) => {
      for (const node of this.groups.groups.get(atg)?.nodes.keys() ?? []) span.add(node);
    };
    switch (kind) {
      case 'AppliedToGroup':
        addAppliedTo(name);
        break;
      case 'NetworkPolicy':
        for (const atg of this.byName.get(name)?.internal?.appliedToGroups ?? []) addAppliedTo(atg);
        break;
      case 'AddressGroup': {
        const atgs = new Set<string>();
        for (const key of this.groups.groups.get(name)?.addressRefs ?? []) {
          for (const atg of this.policies.get(key)?.internal?.appliedToGroups ?? []) atgs.add(atg);
        }
        for (const atg of atgs) addAppliedTo(atg);
        break;
      }
      default: {
        const never: never = kind;
        throw new Error(`unknown kind ${String(never)}`);
      }
    }
    return span;
  }

  snapshot(): ControlPlaneSnapshot {
    const networkPolicies: InternalNetworkPolicy[] = [];
    for (const e of this.byName.values()) if (e.internal) networkPolicies.push(e.internal);
    return {
      networkPolicies,
      addressGroups: this.groupNames('AddressGroup').map((n) => this.getAddressGroup(n)!),
      appliedToGroups: this.groupNames('AppliedToGroup').map((n) => this.getAppliedToGroup(n)!),
    };
  }
}

function membersOf(g: GroupState): GroupMember[] {
  const out: GroupMember[] = [];
  for (const p of g.members.values()) {
    out.push({
      pod: { name: p.name, namespace: p.namespace },
      ips: p.ips,
      ...(p.ports.length ? { ports: p.ports } : {}),
      ...(p.node !== undefined ? { node: p.node } : {}),
    });
  }
  return out;
}
