// The controller's view of Pods and Namespaces, indexed for group membership: pods by
// namespace, namespaces by label pair (so a namespace selector never scans every namespace).
// Each of these lookups into maps of every namespace costs a few cache misses, so everything
// kept per namespace sits in one slot.
import type { GroupMember, NamedPort, Namespace, Pod, LabelSelector } from '../../apis/index.js';
import { selectorMatches, type Labels } from '../../apis/index.js';
import type { GroupState } from './groups.js';
import type { PolicyEntry } from './policyentry.js';
import { PodList } from './podlist.js';
import { SparseIndex } from './sparseindex.js';

export interface PodState {
  readonly key: string; // namespace/name
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The pod as every group holding it lists it (IPs, node, named ports); one object shared by
   * all those groups.
   */
  readonly member: GroupMember;
}

export interface NamespaceState {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

function namedPortsOf(pod: Pod): readonly NamedPort[] | undefined {
  let ports: NamedPort[] | undefined;
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name)
        (ports ??= []).push({ name: p.name, port: p.containerPort, protocol: p.protocol ?? 'TCP' });
    }
  }
  return ports;
}

export function podStateOf(pod: Pod): PodState | undefined {
  const namespace = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  if (pod.spec?.hostNetwork) return undefined; // host-network pods are not policy endpoints
  const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  const ports = namedPortsOf(pod);
  const node = pod.spec?.nodeName;
  const ref = { name, namespace };
  // One literal per combination of optional fields: each then has its own fixed shape, where
  // adding a field later would give every member a separate property store.
  const member: GroupMember =
    node === undefined
      ? ports
        ? { pod: ref, ips, ports }
        : { pod: ref, ips }
      : ports
        ? { pod: ref, ips, ports, node }
        : { pod: ref, ips, node };
  return { key: podKey(namespace, name), namespace, labels: pod.metadata.labels ?? {}, member };
}

/** `namespace/name`, as one flat string (see stableUuid): every group holding the pod keeps it. */
export function podKey(namespace: string, name: string): string {
  return [namespace, name].join('/');
}

/**
 * The label kube-apiserver gives every namespace, its name: the slots by name index it, so the
 * label index leaves it out (half its entries).
 */
const NAME_LABEL = 'kubernetes.io/metadata.name';

export function namespaceStateOf(ns: Namespace): NamespaceState {
  const name = ns.metadata.name ?? '';
  // kube-apiserver always sets this label; manifests read offline may lack it. Not a spread:
  // V8 gives each object spread and then extended its own hidden class (25,000 at scale).
  const labels: Record<string, string> = Object.assign({}, ns.metadata.labels);
  labels[NAME_LABEL] = name;
  return { name, labels };
}

/** Past this many Kubernetes NetworkPolicies in a namespace, they are found through a Map. */
const FEW_POLICIES = 16;

/**
 * What the controller keeps under one namespace name, so one lookup finds it all: the
 * namespace's labels (undefined while it does not exist), its pods, the groups covering it
 * (kept by GroupStore; a group naming a namespace covers it before it exists) and its
 * Kubernetes NetworkPolicies (kept by the controller).
 */
export class NamespaceSlot {
  labels: Labels | undefined;
  readonly pods = new PodList();
  readonly groups = new Set<GroupState>();
  /** By name: a few in an array, searched; a Map past FEW_POLICIES. */
  private policies: PolicyEntry[] | Map<string, PolicyEntry> | undefined;
  constructor(readonly name: string) {}

  get policyCount(): number {
    const p = this.policies;
    return p === undefined ? 0 : Array.isArray(p) ? p.length : p.size;
  }

  policy(name: string): PolicyEntry | undefined {
    const p = this.policies;
    if (p === undefined) return undefined;
    if (!Array.isArray(p)) return p.get(name);
    for (const e of p) if (e.name === name) return e;
    return undefined;
  }

  /** Adds a policy not held yet. */
  addPolicy(e: PolicyEntry): void {
    const p = (this.policies ??= []);
    if (!Array.isArray(p)) p.set(e.name, e);
    else if (p.length < FEW_POLICIES) p.push(e);
    else this.policies = new Map([...p, e].map((x) => [x.name, x]));
  }

  deletePolicy(e: PolicyEntry): void {
    const p = this.policies;
    if (p === undefined) return;
    if (!Array.isArray(p)) p.delete(e.name);
    else {
      const i = p.indexOf(e);
      if (i >= 0) p.splice(i, 1);
    }
  }
}

export class ClusterState {
  private readonly slots = new Map<string, NamespaceSlot>();
  /** `key=value` → the existing namespaces with that label (but NAME_LABEL). */
  private readonly namespacesByLabel = new SparseIndex<NamespaceSlot>();

  slot(name: string): NamespaceSlot | undefined {
    return this.slots.get(name);
  }

  slotFor(name: string): NamespaceSlot {
    let slot = this.slots.get(name);
    if (!slot) this.slots.set(name, (slot = new NamespaceSlot(name)));
    return slot;
  }

  /** Forgets a slot that holds nothing any more. */
  dropIfEmpty(slot: NamespaceSlot): void {
    if (!slot.labels && slot.pods.count === 0 && slot.groups.size === 0 && !slot.policyCount)
      this.slots.delete(slot.name);
  }

  setPod(p: PodState): PodState | undefined {
    return this.slotFor(p.namespace).pods.set(p);
  }

  deletePod(namespace: string, key: string): PodState | undefined {
    const slot = this.slots.get(namespace);
    const old = slot?.pods.delete(key);
    if (old) this.dropIfEmpty(slot!);
    return old;
  }

  setNamespace(ns: NamespaceState): void {
    const slot = this.slotFor(ns.name);
    if (slot.labels) this.unindexLabels(slot);
    slot.labels = ns.labels;
    for (const pair of labelPairs(ns.labels)) this.namespacesByLabel.add(pair, slot);
  }

  /** False when the namespace did not exist. */
  deleteNamespace(name: string): boolean {
    const slot = this.slots.get(name);
    if (!slot?.labels) return false;
    this.unindexLabels(slot);
    slot.labels = undefined;
    this.dropIfEmpty(slot);
    return true;
  }

  private unindexLabels(slot: NamespaceSlot): void {
    for (const pair of labelPairs(slot.labels!)) this.namespacesByLabel.delete(pair, slot);
  }

  /** The existing namespaces the selector matches, starting from the smallest label-pair index. */
  matchingNamespaces(selector: LabelSelector): NamespaceSlot[] {
    let best: Iterable<NamespaceSlot> | undefined;
    let smallest = Infinity;
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
      const named = k === NAME_LABEL ? this.slots.get(v) : undefined;
      const pair = `${k}=${v}`;
      const n = k === NAME_LABEL ? (named?.labels ? 1 : 0) : this.namespacesByLabel.count(pair);
      if (n === 0) return [];
      if (n < smallest) {
        smallest = n;
        best = named ? [named] : this.namespacesByLabel.values(pair);
      }
    }
    const out: NamespaceSlot[] = [];
    for (const slot of best ?? this.slots.values()) {
      if (slot.labels && selectorMatches(selector, slot.labels)) out.push(slot);
    }
    return out;
  }

  namespaceLabels(name: string): Labels | undefined {
    return this.slots.get(name)?.labels;
  }
}

/**
 * `key=value` per label the label index holds (all but NAME_LABEL), each one flat string (see
 * stableUuid): the index keeps them.
 */
function labelPairs(labels: Labels): string[] {
  const out: string[] = [];
  for (const pair of Object.entries(labels)) if (pair[0] !== NAME_LABEL) out.push(pair.join('='));
  return out;
}
