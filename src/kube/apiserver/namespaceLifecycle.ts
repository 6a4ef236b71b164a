// Namespace deletion, as kube's namespace controller does it: a deleted Namespace turns
// Terminating (the registry holds it with its `kubernetes` finalizer), every object in it is
// deleted, and once none is left the finalizer goes and the Namespace with it. Level-
// triggered like the garbage collector: a start picks up Namespaces left Terminating.
// The content is deleted after a short delay, as kube's controller (which first rediscovers
// every resource) does: `kubectl delete -f` of a Namespace followed by its objects then finds
// and deletes those objects itself instead of failing on NotFound.
import type { KubeObject } from '../../apis/meta.js';
import { ApiError } from './errors.js';
import { arr, at, clone, type JsonObject } from './json.js';
import { NAMESPACE_FINALIZER, type Registry } from './registry.js';
import { RESOURCES, resourceByKey, resourceKey, type ResourceDef } from './resources.js';
import type { StoredEvent } from './storage.js';

const NAMESPACES = resourceByKey('namespaces') as ResourceDef;

export class NamespaceLifecycle {
  private readonly pending = new Set<string>();
  private readonly started = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly delayMs = 1000,
  ) {}

  start(): void {
    for (const ns of this.registry.storage.list('namespaces')) this.onNamespace(ns);
    this.unsubscribe = this.registry.hub.subscribe('*', (e) => this.onEvent(e));
  }

  stop(): void {
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
  }

  private onNamespace(ns: KubeObject): void {
    if (ns.metadata.deletionTimestamp) this.enqueue(ns.metadata.name ?? '');
  }

  private onEvent(e: StoredEvent): void {
    if (e.resource === 'namespaces') {
      if (e.type !== 'DELETED') this.onNamespace(e.object);
    } else if (e.type === 'DELETED' && e.object.metadata.namespace) {
      const ns = this.registry.storage.get('namespaces', '', e.object.metadata.namespace);
      if (ns) this.onNamespace(ns);
    }
  }

  /** The first pass over a Namespace waits `delayMs`; later passes run at once. */
  private enqueue(name: string): void {
    if (this.pending.has(name)) return;
    this.pending.add(name);
    const first = !this.started.has(name);
    this.started.add(name);
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.pending.delete(name);
        this.finalize(name);
      },
      first ? this.delayMs : 0,
    );
    this.timers.add(timer);
  }

  private finalize(name: string): void {
    const ns = this.registry.find(NAMESPACES, '', name);
    if (!ns?.metadata.deletionTimestamp) {
      this.started.delete(name);
      return;
    }
    for (const def of RESOURCES.filter((r) => r.namespaced)) {
      for (const o of this.registry.storage.list(resourceKey(def), name)) {
        if (o.metadata.deletionTimestamp) continue;
        try {
          this.registry.delete(def, name, o.metadata.name ?? '', {
            propagationPolicy: 'Background',
          });
        } catch (err) {
          if (!(err instanceof ApiError) || err.code !== 404) throw err;
        }
      }
    }
    // Objects deleted above leave at once unless finalizers hold them; their DELETED events
    // bring the namespace back here until nothing is left.
    const left = RESOURCES.some(
      (def) => def.namespaced && this.registry.storage.list(resourceKey(def), name).length > 0,
    );
    if (left) return;
    const next = clone(ns as unknown as JsonObject);
    const finalizers = arr(at(next, 'spec', 'finalizers')).filter((f) => f !== NAMESPACE_FINALIZER);
    next.spec = { ...(next.spec as JsonObject), finalizers };
    this.registry.update(NAMESPACES, '', name, next);
  }
}
