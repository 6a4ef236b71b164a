// The agent's one source of truth for "which interface is this pod / this ofport / this IP":
// every interface of br-int with indexes by name, container id, pod and IP. The CNI server
// writes it, the policy reconciler, the API server and antctl read it. OVSDB is its durable
// copy: at start the store is rebuilt from the ports' external_ids.
import type { Vsctl } from '../../ovs/vsctl.js';
import { fromRecord } from './externalids.js';
import type { ContainerInterface, InterfaceConfig, InterfaceKind } from './types.js';

const podKey = (namespace: string, name: string): string => `${namespace}/${name}`;

export class InterfaceStore {
  private readonly byName = new Map<string, InterfaceConfig>();
  private readonly byContainer = new Map<string, ContainerInterface>();
  /** A pod may briefly have two sandboxes (a new one before the old one's DEL). */
  private readonly byPod = new Map<string, Set<string>>();
  private readonly byIP = new Map<string, string>();
  private readonly byOfport = new Map<number, string>();
  private readonly podListeners = new Set<(namespace: string, name: string) => void>();

  /** Called after a pod's interface is added or removed (the policy agent re-resolves it). */
  onPodChange(listener: (namespace: string, name: string) => void): () => void {
    this.podListeners.add(listener);
    return () => this.podListeners.delete(listener);
  }

  private notify(iface: InterfaceConfig | undefined): void {
    if (iface?.kind !== 'container') return;
    for (const l of this.podListeners) l(iface.podNamespace, iface.podName);
  }

  /** The store as OVSDB's external_ids describe `bridge`'s ports. */
  static async load(vsctl: Pick<Vsctl, 'listInterfaces'>, bridge: string): Promise<InterfaceStore> {
    const store = new InterfaceStore();
    for (const record of await vsctl.listInterfaces(bridge)) {
      const iface = fromRecord(record);
      if (iface !== undefined) store.add(iface);
    }
    return store;
  }

  /** Adds or replaces (by name) an interface. */
  add(iface: InterfaceConfig): void {
    this.unindex(iface.name);
    this.byName.set(iface.name, iface);
    for (const ip of iface.ips) this.byIP.set(ip, iface.name);
    this.byOfport.set(iface.ofport, iface.name);
    if (iface.kind !== 'container') return;
    this.byContainer.set(iface.containerId, iface);
    const key = podKey(iface.podNamespace, iface.podName);
    const names = this.byPod.get(key) ?? new Set<string>();
    names.add(iface.name);
    this.byPod.set(key, names);
    this.notify(iface);
  }

  delete(name: string): void {
    this.notify(this.unindex(name));
  }

  private unindex(name: string): InterfaceConfig | undefined {
    const iface = this.byName.get(name);
    if (iface === undefined) return undefined;
    this.byName.delete(name);
    for (const ip of iface.ips) if (this.byIP.get(ip) === name) this.byIP.delete(ip);
    if (this.byOfport.get(iface.ofport) === name) this.byOfport.delete(iface.ofport);
    if (iface.kind !== 'container') return iface;
    this.byContainer.delete(iface.containerId);
    const key = podKey(iface.podNamespace, iface.podName);
    const names = this.byPod.get(key);
    names?.delete(name);
    if (names?.size === 0) this.byPod.delete(key);
    return iface;
  }

  get(name: string): InterfaceConfig | undefined {
    return this.byName.get(name);
  }

  getByContainer(containerId: string): ContainerInterface | undefined {
    return this.byContainer.get(containerId);
  }

  getByPod(namespace: string, name: string): ContainerInterface[] {
    const names = this.byPod.get(podKey(namespace, name)) ?? new Set<string>();
    return [...names].map((n) => this.byName.get(n) as ContainerInterface);
  }

  getByIP(ip: string): InterfaceConfig | undefined {
    const name = this.byIP.get(ip);
    return name === undefined ? undefined : this.byName.get(name);
  }

  getByOfport(ofport: number): InterfaceConfig | undefined {
    const name = this.byOfport.get(ofport);
    return name === undefined ? undefined : this.byName.get(name);
  }

  list<K extends InterfaceKind>(kind: K): Extract<InterfaceConfig, { kind: K }>[];
  list(): InterfaceConfig[];
  list(kind?: InterfaceKind): InterfaceConfig[] {
    const all = [...this.byName.values()];
    return kind === undefined ? all : all.filter((i) => i.kind === kind);
  }

  /** Container interfaces sorted as antctl lists them: by namespace, then pod name. */
  containers(): ContainerInterface[] {
    return this.list('container').sort(
      (a, b) => a.podNamespace.localeCompare(b.podNamespace) || a.podName.localeCompare(b.podName),
    );
  }

  get size(): number {
    return this.byName.size;
  }
}
