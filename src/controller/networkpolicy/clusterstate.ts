// The controller's view of Pods and Namespaces, indexed for group membership: pods by
// namespace, namespaces by label pair (so a namespace selector never scans every namespace).
import type { GroupMember, NamedPort, Namespace, Pod, LabelSelector } from '../../apis/index.js';
import { selectorMatches } from '../../apis/index.js';

export interface PodState {
  readonly key: string; // namespace/name
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ips: readonly string[];
  readonly node: string | undefined;
  readonly ports: readonly NamedPort[];
  /** The pod as every group holding it lists it; one object shared by all those groups. */
  readonly member: GroupMember;
}

export interface NamespaceState {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export function podStateOf(pod: Pod): PodState | undefined {
  const namespace = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  if (pod.spec?.hostNetwork) return undefined; // host-network pods are not policy endpoints
  const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  const ports: NamedPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name)
        ports.push({ name: p.name, port: p.containerPort, protocol: p.protocol ?? 'TCP' });
    }
  }
  const node = pod.spec?.nodeName;
  return {
    key: `${namespace}/${name}`,
    namespace,
    name,
    labels: pod.metadata.labels ?? {},
    ips,
    node,
    ports,
    member: {
      pod: { name, namespace },
      ips,
      ...(ports.length ? { ports } : {}),
      ...(node !== undefined ? { node } : {}),
    },
  };
}

export function namespaceStateOf(ns: Namespace): NamespaceState {
  const name = ns.metadata.name ?? '';
  // kube-apiserver always sets this label; manifests read offline may lack it.
  return { name, labels: { ...ns.metadata.labels, 'kubernetes.io/metadata.name': name } };
}

export class ClusterState {
  readonly pods = new Map<string, PodState>();
  readonly namespaces = new Map<string, NamespaceState>();
  private readonly podsByNamespace = new Map<string, Map<string, PodState>>();
  private readonly namespacesByLabel = new Map<string, Set<string>>();

  setPod(p: PodState): PodState | undefined {
    const old = this.pods.get(p.key);
    this.pods.set(p.key, p);
    let inNs = this.podsByNamespace.get(p.namespace);
    if (!inNs) this.podsByNamespace.set(p.namespace, (inNs = new Map()));
    inNs.set(p.key, p);
    return old;
  }

  deletePod(key: string): PodState | undefined {
    const old = this.pods.get(key);
    if (!old) return undefined;
    this.pods.delete(key);
    const inNs = this.podsByNamespace.get(old.namespace);
    inNs?.delete(key);
    if (inNs && inNs.size === 0) this.podsByNamespace.delete(old.namespace);
    return old;
  }

  podsIn(namespace: string): Iterable<PodState> {
    return this.podsByNamespace.get(namespace)?.values() ?? [];
  }

  setNamespace(ns: NamespaceState): NamespaceState | undefined {
    const old = this.namespaces.get(ns.name);
    if (old) this.unindexNamespace(old);
    this.namespaces.set(ns.name, ns);
    for (const [k, v] of Object.entries(ns.labels)) {
      const pair = `${k}=${v}`;
      let set = this.namespacesByLabel.get(pair);
      if (!set) this.namespacesByLabel.set(pair, (set = new Set()));
      set.add(ns.name);
    }
    return old;
  }

  deleteNamespace(name: string): NamespaceState | undefined {
    const old = this.namespaces.get(name);
    if (!old) return undefined;
    this.unindexNamespace(old);
    this.namespaces.delete(name);
    return old;
  }

  private unindexNamespace(ns: NamespaceState): void {
    for (const [k, v] of Object.entries(ns.labels)) {
      const pair = `${k}=${v}`;
      const set = this.namespacesByLabel.get(pair);
      set?.delete(ns.name);
      if (set && set.size === 0) this.namespacesByLabel.delete(pair);
    }
  }

  /** Names of namespaces the selector matches, starting from the smallest label-pair index. */
  matchingNamespaces(selector: LabelSelector): string[] {
    let candidates: Iterable<string> | undefined;
    let smallest = Infinity;
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
      const set = this.namespacesByLabel.get(`${k}=${v}`);
      if (!set) return [];
      if (set.size < smallest) {
        smallest = set.size;
        candidates = set;
      }
    }
    const out: string[] = [];
    for (const name of candidates ?? this.namespaces.keys()) {
      const ns = this.namespaces.get(name);
      if (ns && selectorMatches(selector, ns.labels)) out.push(name);
    }
    return out;
  }

  namespaceLabels(name: string): Readonly<Record<string, string>> | undefined {
    return this.namespaces.get(name)?.labels;
  }
}
