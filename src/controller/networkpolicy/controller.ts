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
  LabelSelector,
  Namespace,
  NetworkPolicy,
  Pod,
  Tier,
} from '../../apis/index.js';
import { DEFAULT_TIER_NAME, DEFAULT_TIERS } from '../../apis/index.js';
import { ClusterState, namespaceStateOf, podKey, podStateOf } from './clusterstate.js';
import { Conversion, type ConversionHost, type HeldGroups } from './conversion.js';
import { convertAntreaPolicy } from './convert-antrea.js';
import { convertK8sPolicy } from './convert-k8s.js';
import { EventBatch, type ControlPlaneEvent, type ControlPlaneKind } from './events.js';
import {
  GroupStore,
  ROLE_BIT,
  type GroupRole,
  type GroupState,
  type GroupTerms,
} from './groups.js';
import { selectorKey } from './groupselector.js';
import { NamedGroups, namedGroupKey, type ResolvedGroup } from './namedgroups.js';
import { EMPTY_SPAN, SpanUnion, type NodeSpan } from './nodespan.js';
import { groupsOf } from './policygroups.js';
import type { PolicyEntry } from './policyentry.js';
import { isCrd, policyKey, policyRefOf, policyTypeOf, uidOf, type PolicyRef } from './policyref.js';

export interface ControlPlaneSnapshot {
  readonly networkPolicies: readonly InternalNetworkPolicy[];
  readonly addressGroups: readonly AddressGroup[];
  readonly appliedToGroups: readonly AppliedToGroup[];
}

export type Listener = (events: readonly ControlPlaneEvent[]) => void;

const ROLES: readonly GroupRole[] = ['address', 'appliedTo'];
/** Most policies read no ClusterGroup; they share this instead of an empty set each. */
const NO_NAMED_DEPS: ReadonlySet<string> = new Set();
const NO_GROUPS: readonly GroupState[] = Object.freeze([]);
const NO_USERS: readonly PolicyEntry[] = Object.freeze([]);
/** A deleted policy keeps no group. */
const HOLDS_NOTHING: HeldGroups = { maskOf: () => 0 };
const ROLE_KIND: Readonly<Record<GroupRole, 'AddressGroup' | 'AppliedToGroup'>> = {
  address: 'AddressGroup',
  appliedTo: 'AppliedToGroup',
};

export class NetworkPolicyController implements ConversionHost {
  private readonly cluster = new ClusterState();
  private readonly batch = new EventBatch();
  private readonly groups: GroupStore;
  /**
   * Antrea policies by policyKey, in the order tier and ClusterGroup changes reconvert them.
   * Kubernetes NetworkPolicies read neither, so they are never reconverted: they sit in their
   * namespace's slot instead (one lookup there, not two in a map of every policy).
   */
  private readonly antreaPolicies = new Map<string, PolicyEntry>();
  private readonly byName = new Map<string, PolicyEntry>();
  private readonly tiers = new Map<string, number>(Object.entries(DEFAULT_TIERS));
  private readonly named = new NamedGroups();
  /** Named (ClusterGroup/Group) pod groups → the key of the terms they were filled from. */
  private readonly namedTerms = new Map<string, string>();
  private readonly listeners = new Set<Listener>();
  private readonly namespaceDependent = new Set<PolicyEntry>();
  private readonly conv = new Conversion(this);

  constructor() {
    this.groups = new GroupStore(this.cluster, (g) => this.groupChanged(g));
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  // ---- inputs ---------------------------------------------------------------------------------

  /** Adds or updates any supported object; returns the events it caused. */
  apply(obj: KubeObject): readonly ControlPlaneEvent[] {
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
  delete(obj: KubeObject): readonly ControlPlaneEvent[] {
    const name = obj.metadata.name ?? '';
    const policyType = policyTypeOf(obj);
    if (policyType) this.deletePolicy(policyRefOf(obj, policyType));
    else if (obj.kind === 'Namespace') this.deleteNamespace(name);
    else if (obj.kind === 'Pod') {
      const namespace = obj.metadata.namespace ?? 'default';
      this.deletePod(namespace, podKey(namespace, name));
    } else if (obj.kind === 'Tier') this.deleteTier(name);
    else if (obj.kind === 'ClusterGroup') this.deleteNamedGroup(namedGroupKey(undefined, name));
    else if (obj.kind === 'Group') {
      this.deleteNamedGroup(namedGroupKey(obj.metadata.namespace ?? 'default', name));
    }
    return this.flush();
  }

  private upsertNamespace(ns: Namespace): void {
    this.cluster.setNamespace(namespaceStateOf(ns));
    this.groups.namespaceChanged(ns.metadata.name ?? '');
    this.reconvertNamespaceDependent();
  }

  private deleteNamespace(name: string): void {
    if (!this.cluster.deleteNamespace(name)) return;
    this.groups.namespaceChanged(name);
    this.reconvertNamespaceDependent();
  }

  private upsertPod(pod: Pod): void {
    const next = podStateOf(pod);
    if (!next) {
      const namespace = pod.metadata.namespace ?? 'default';
      return this.deletePod(namespace, podKey(namespace, pod.metadata.name ?? ''));
    }
    const prev = this.cluster.setPod(next);
    this.groups.podChanged(prev, next);
  }

  private deletePod(namespace: string, key: string): void {
    const prev = this.cluster.deletePod(namespace, key);
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
    let entry = this.policyEntry(ref);
    if (!entry) {
      entry = {
        type: ref.type,
        namespace: ref.namespace,
        name: ref.name,
        source: obj,
        internal: undefined,
        appliedTo: NO_GROUPS,
        namedDeps: NO_NAMED_DEPS,
        namespaceDependent: false,
      };
      if (ref.type === 'K8sNetworkPolicy') this.cluster.slotFor(ref.namespace!).addPolicy(entry);
      else this.antreaPolicies.set(policyKey(ref), entry);
    }
    entry.source = obj;
    this.convert(entry);
  }

  private policyEntry(ref: PolicyRef): PolicyEntry | undefined {
    if (ref.type === 'K8sNetworkPolicy') return this.cluster.slot(ref.namespace!)?.policy(ref.name);
    return this.antreaPolicies.get(policyKey(ref));
  }

  private deletePolicy(ref: PolicyRef): void {
    const entry = this.policyEntry(ref);
    if (!entry) return;
    if (ref.type === 'K8sNetworkPolicy') {
      const slot = this.cluster.slot(ref.namespace!)!;
      slot.deletePolicy(entry);
      this.cluster.dropIfEmpty(slot);
    } else this.antreaPolicies.delete(policyKey(ref));
    this.namespaceDependent.delete(entry);
    if (entry.internal) {
      this.byName.delete(entry.internal.metadata.name);
      this.batch.add('DELETED', 'NetworkPolicy', entry.internal.metadata.name);
    }
    this.releaseGroups(entry, entry.internal, HOLDS_NOTHING);
  }

  // ---- conversion -----------------------------------------------------------------------------

  private tierOf(e: PolicyEntry): string | undefined {
    if (e.type === 'K8sNetworkPolicy') return undefined;
    const spec = (e.source as ClusterNetworkPolicy).spec;
    return (spec.tier ?? DEFAULT_TIER_NAME).toLowerCase();
  }

  /** Policies with per-namespace peers depend on the namespace list; only they are redone. */
  private reconvertNamespaceDependent(): void {
    if (this.namespaceDependent.size === 0) return;
    for (const e of [...this.namespaceDependent]) this.convert(e);
  }

  /** Reconverts the Antrea policies that match (no Kubernetes NetworkPolicy reads a tier or group). */
  private reconvert(which: (e: PolicyEntry) => boolean): void {
    for (const e of this.antreaPolicies.values()) if (which(e)) this.convert(e);
  }

  private convert(entry: PolicyEntry): void {
    const conv = this.conv;
    conv.begin(entry);
    const obj = entry.source;
    let internal: InternalNetworkPolicy | undefined;
    const uid = uidOf(obj, entry);
    if (entry.type === 'K8sNetworkPolicy') {
      internal = convertK8sPolicy(obj as NetworkPolicy, entry, uid, conv);
    } else {
      const tierPriority = this.tiers.get(this.tierOf(entry)!);
      // A policy whose tier does not exist is not realized (admission refuses it in a cluster).
      if (tierPriority !== undefined) {
        internal = convertAntreaPolicy(
          obj as ClusterNetworkPolicy | AntreaNetworkPolicy,
          entry,
          uid,
          tierPriority,
          conv,
        );
      }
    }
    // The conversion took its group references as it went; dropping the old ones only now means
    // a group both versions use is never deleted and re-created.
    this.releaseGroups(entry, entry.internal, conv);
    entry.namedDeps = conv.namedDeps ?? NO_NAMED_DEPS;
    entry.namespaceDependent = conv.namespaceDependent;
    if (conv.namespaceDependent) this.namespaceDependent.add(entry);
    else this.namespaceDependent.delete(entry);

    const prev = entry.internal;
    entry.internal = internal;
    entry.appliedTo = appliedToOf(internal, conv);
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

  /**
   * Takes a policy's reference on a group in a role (the group's first user in the role
   * announces it); returns the group.
   */
  refGroup(name: string, terms: GroupTerms, role: GroupRole, policy: PolicyEntry): GroupState {
    const g = this.groups.obtain(name, terms);
    this.useGroup(g, role, policy);
    return g;
  }

  /** The group's first user in a role announces it. */
  useGroup(g: GroupState, role: GroupRole, policy: PolicyEntry): void {
    if (g.addRef(policy, role)) this.batch.add('ADDED', ROLE_KIND[role], g.name);
  }

  /** The terms a named group resolves to now; recorded so later changes to it are noticed. */
  resolveNamed(key: string, deps: Set<string>): ResolvedGroup {
    const seen = new Set<string>();
    const r = this.named.resolve(key, seen);
    for (const k of seen) deps.add(k);
    if (r.terms.length > 0 || r.ipBlocks.length === 0) {
      if (!this.namedTerms.has(key)) this.namedTerms.set(key, r.terms.map(selectorKey).join(';'));
    }
    return r;
  }

  namespacesMatching(
    selector: LabelSelector,
  ): { name: string; labels: Readonly<Record<string, string>> }[] {
    return this.cluster
      .matchingNamespaces(selector)
      .map((slot) => ({ name: slot.name, labels: slot.labels! }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Drops the references the policy's previous version held, except those kept. */
  private releaseGroups(
    policy: PolicyEntry,
    had: InternalNetworkPolicy | undefined,
    keep: HeldGroups,
  ): void {
    if (!had) return;
    const used = groupsOf(had);
    for (const role of ROLES) {
      for (const name of used[role]) {
        if (keep.maskOf(name) & ROLE_BIT[role]) continue;
        const g = this.groups.release(name, role, policy);
        if (!g) continue;
        if (!g.usedAs(role)) this.batch.add('DELETED', ROLE_KIND[role], name);
        if (!g.referenced) this.namedTerms.delete(name);
      }
    }
  }

  private groupChanged(g: GroupState): void {
    for (const role of ROLES)
      if (g.usedAs(role)) this.batch.add('MODIFIED', ROLE_KIND[role], g.name);
  }

  private flush(): readonly ControlPlaneEvent[] {
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
    return g?.usedAs('address') ? addressGroupOf(g, membersOf(g)) : undefined;
  }

  getAppliedToGroup(name: string): AppliedToGroup | undefined {
    const g = this.groups.groups.get(name);
    return g?.usedAs('appliedTo') ? appliedToGroupOf(g, membersOf(g)) : undefined;
  }

  networkPolicyNames(): string[] {
    return [...this.byName.keys()];
  }

  groupNames(kind: 'AddressGroup' | 'AppliedToGroup'): string[] {
    const role = kind === 'AddressGroup' ? 'address' : 'appliedTo';
    const out: string[] = [];
    // forEach: a for-of over the Map allocated an iterator result per group here.
    this.groups.groups.forEach((g) => {
      if (g.usedAs(role)) out.push(g.name);
    });
    return out;
  }

  /** Whether an AppliedToGroup has members on the node. */
  appliedToGroupOnNode(name: string, node: string): boolean {
    return this.groups.groups.get(name)?.nodes.has(node) ?? false;
  }

  /** Whether a policy applies to pods on the node (its span holds the node). */
  networkPolicyOnNode(name: string, node: string): boolean {
    const np = this.byName.get(name)?.internal;
    return np?.appliedToGroups.some((g) => this.appliedToGroupOnNode(g, node)) ?? false;
  }

  /** Names of the policies that apply through an AppliedToGroup. */
  policiesUsingAppliedToGroup(name: string): string[] {
    const out: string[] = [];
    for (const e of this.groups.groups.get(name)?.users('appliedTo') ?? []) {
      if (e.internal) out.push(e.internal.metadata.name);
    }
    return out;
  }

  /** The nodes that need the object: where its applied-to pods run. */
  spanOf(kind: ControlPlaneKind, name: string): NodeSpan {
    switch (kind) {
      case 'AppliedToGroup':
        return this.groups.groups.get(name)?.nodes ?? EMPTY_SPAN;
      case 'NetworkPolicy': {
        const e = this.byName.get(name);
        return e ? policySpan(e) : EMPTY_SPAN;
      }
      case 'AddressGroup': {
        const users = this.groups.groups.get(name)?.users('address') ?? NO_USERS;
        // Most address groups have one user: its span, with no union built.
        if (users.length === 1) return policySpan(users[0]!);
        const span = new SpanUnion();
        for (const e of users) addPolicySpan(span, e.appliedTo);
        return span.result;
      }
      default: {
        const never: never = kind;
        throw new Error(`unknown kind ${String(never)}`);
      }
    }
  }

  snapshot(): ControlPlaneSnapshot {
    const networkPolicies: InternalNetworkPolicy[] = [];
    // forEach, not for-of: no iterator result per policy and group.
    this.byName.forEach((e) => {
      if (e.internal) networkPolicies.push(e.internal);
    });
    const addressGroups: AddressGroup[] = [];
    const appliedToGroups: AppliedToGroup[] = [];
    this.groups.groups.forEach((g) => {
      // A group used in both roles lists its members once for both objects.
      const members = membersOf(g);
      if (g.usedAs('address')) addressGroups.push(addressGroupOf(g, members));
      if (g.usedAs('appliedTo')) appliedToGroups.push(appliedToGroupOf(g, members));
    });
    return { networkPolicies, addressGroups, appliedToGroups };
  }
}

/** The groups of the policy's appliedToGroups, from those its conversion took. */
function appliedToOf(
  np: InternalNetworkPolicy | undefined,
  conv: Conversion,
): PolicyEntry['appliedTo'] {
  if (!np || np.appliedToGroups.length === 0) return NO_GROUPS;
  // Every name in it is one the conversion asked its GroupNeeds for.
  if (np.appliedToGroups.length === 1) return conv.group(np.appliedToGroups[0]!)!;
  return np.appliedToGroups.map((name) => conv.group(name)!);
}

/** A policy's span: its one AppliedToGroup's span itself, else the union of its groups'. */
function policySpan(e: PolicyEntry): NodeSpan {
  if (!isGroupList(e.appliedTo)) return e.appliedTo.nodes;
  const span = new SpanUnion();
  addPolicySpan(span, e.appliedTo);
  return span.result;
}

function addPolicySpan(span: SpanUnion, appliedTo: PolicyEntry['appliedTo']): void {
  if (!isGroupList(appliedTo)) return span.add(appliedTo.nodes);
  for (const g of appliedTo) span.add(g.nodes);
}

function isGroupList(a: PolicyEntry['appliedTo']): a is readonly GroupState[] {
  return Array.isArray(a);
}

function addressGroupOf(g: GroupState, members: readonly GroupMember[]): AddressGroup {
  return { kind: 'AddressGroup', metadata: { name: g.name }, groupMembers: members };
}

function appliedToGroupOf(g: GroupState, members: readonly GroupMember[]): AppliedToGroup {
  return { kind: 'AppliedToGroup', metadata: { name: g.name }, groupMembers: members };
}

function membersOf(g: GroupState): GroupMember[] {
  return g.members.list((p) => p.member);
}
