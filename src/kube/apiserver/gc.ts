// The garbage collector of ownerReferences, as kube-controller-manager's: a dependent whose
// owners are all gone is deleted (background cascading); references to missing owners are
// dropped while another owner lives; an owner deleted with propagationPolicy=Orphan has its
// dependents released, one deleted with Foreground waits for its blocking dependents. It is
// level-triggered: every event re-examines the objects it touches, and a start scans all, so
// a crash between an owner's deletion and its dependents' is repaired on the next start.
import type { KubeObject, OwnerReference } from '../../apis/meta.js';
import { ApiError } from './errors.js';
import { clone, type JsonObject } from './json.js';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN, type Registry } from './registry.js';
import { resourceByKey, type ResourceDef } from './resources.js';
import type { StoredEvent } from './storage.js';

interface Ref {
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
}

const refKey = (r: Ref): string => `${r.resource}|${r.namespace}|${r.name}`;

function refOf(resource: string, o: KubeObject): Ref {
  return { resource, namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' };
}

function owners(o: KubeObject): readonly OwnerReference[] {
  return o.metadata.ownerReferences ?? [];
}

export class GarbageCollector {
  private readonly byUid = new Map<string, Ref>();
  /** owner uid → keys of the objects that reference it. */
  private readonly dependents = new Map<string, Map<string, Ref>>();
  private readonly pendingItems = new Map<string, Ref>();
  private readonly pendingOwners = new Map<string, Ref>();
  private scheduled: NodeJS.Immediate | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly registry: Registry) {}

  start(): void {
    const storage = this.registry.storage;
    for (const resource of storage.resources()) {
      for (const o of storage.list(resource)) this.index(resource, o, undefined);
    }
    for (const resource of storage.resources()) {
      for (const o of storage.list(resource)) this.enqueue(resource, o);
    }
    this.unsubscribe = this.registry.hub.subscribe('*', (e) => this.onEvent(e));
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.scheduled) clearImmediate(this.scheduled);
  }

  private index(resource: string, o: KubeObject, prev: KubeObject | undefined): void {
    const ref = refOf(resource, o);
    for (const r of prev ? owners(prev) : []) this.dependents.get(r.uid)?.delete(refKey(ref));
    if (o.metadata.uid) this.byUid.set(o.metadata.uid, ref);
    for (const r of owners(o)) {
      const set = this.dependents.get(r.uid) ?? new Map<string, Ref>();
      set.set(refKey(ref), ref);
      this.dependents.set(r.uid, set);
    }
  }

  private unindex(resource: string, o: KubeObject): void {
    const ref = refOf(resource, o);
    if (o.metadata.uid) this.byUid.delete(o.metadata.uid);
    for (const r of owners(o)) this.dependents.get(r.uid)?.delete(refKey(ref));
  }

  private onEvent(e: StoredEvent): void {
    if (e.type === 'DELETED') {
      this.unindex(e.resource, e.object);
      const uid = e.object.metadata.uid ?? '';
      for (const dep of this.dependents.get(uid)?.values() ?? [])
        this.pendingItems.set(refKey(dep), dep);
      for (const r of owners(e.object)) {
        const owner = this.byUid.get(r.uid);
        if (owner) this.pendingOwners.set(refKey(owner), owner);
      }
    } else {
      this.index(e.resource, e.object, e.prev);
      this.enqueue(e.resource, e.object);
    }
    this.schedule();
  }

  private enqueue(resource: string, o: KubeObject): void {
    const ref = refOf(resource, o);
    if (owners(o).length > 0) this.pendingItems.set(refKey(ref), ref);
    if (o.metadata.deletionTimestamp) this.pendingOwners.set(refKey(ref), ref);
    this.schedule();
  }

  /** Work runs after the event that caused it, never inside a commit. */
  private schedule(): void {
    if (this.scheduled || (this.pendingItems.size === 0 && this.pendingOwners.size === 0)) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      const items = [...this.pendingItems.values()];
      const ownersToCheck = [...this.pendingOwners.values()];
      this.pendingItems.clear();
      this.pendingOwners.clear();
      for (const r of items) this.guard(() => this.processItem(r));
      for (const r of ownersToCheck) this.guard(() => this.processOwner(r));
      this.schedule();
    });
  }

  /** An object that vanished or changed meanwhile is not an error: a later event re-queues it. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof ApiError) || (err.code !== 404 && err.code !== 409)) throw err;
    }
  }

  private lookup(r: Ref): [ResourceDef, KubeObject] | undefined {
    const def = resourceByKey(r.resource);
    const o = def && this.registry.find(def, r.namespace, r.name);
    return def && o ? [def, o] : undefined;
  }

  private ownerObject(uid: string): KubeObject | undefined {
    const r = this.byUid.get(uid);
    const found = r && this.lookup(r);
    return found && found[1].metadata.uid === uid ? found[1] : undefined;
  }

  private processItem(r: Ref): void {
    const found = this.lookup(r);
    if (!found) return;
    const [def, o] = found;
    const refs = owners(o);
    if (refs.length === 0) return;
    const solid: OwnerReference[] = [];
    const gone: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const owner = this.ownerObject(ref.uid);
      if (!owner) gone.push(ref);
      else if (
        owner.metadata.deletionTimestamp &&
        owner.metadata.finalizers?.includes(FINALIZER_FOREGROUND)
      ) {
        waiting.push(ref);
      } else solid.push(ref);
    }
    if (solid.length > 0) {
      if (gone.length + waiting.length === 0) return;
      const keep = new Set(solid.map((s) => s.uid));
      this.setOwners(
        def,
        r,
        o,
        refs.filter((x) => keep.has(x.uid)),
      );
      return;
    }
    if (o.metadata.deletionTimestamp) return;
    const hasDependents = (this.dependents.get(o.metadata.uid ?? '')?.size ?? 0) > 0;
    const policy = o.metadata.finalizers?.includes(FINALIZER_ORPHAN)
      ? 'Orphan'
      : (waiting.length > 0 && hasDependents) ||
          o.metadata.finalizers?.includes(FINALIZER_FOREGROUND)
        ? 'Foreground'
        : 'Background';
    this.registry.delete(def, r.namespace, r.name, {
      propagationPolicy: policy,
      preconditions: { uid: o.metadata.uid ?? '' },
    });
  }

  private processOwner(r: Ref): void {
    const found = this.lookup(r);
    if (!found) return;
    const [def, o] = found;
    if (!o.metadata.deletionTimestamp) return;
    const uid = o.metadata.uid ?? '';
    const finalizers = o.metadata.finalizers ?? [];
    const deps = [...(this.dependents.get(uid)?.values() ?? [])];
    let drop: string | undefined;
    if (finalizers.includes(FINALIZER_ORPHAN)) {
      for (const d of deps) this.guard(() => this.release(d, uid));
      drop = FINALIZER_ORPHAN;
    } else if (finalizers.includes(FINALIZER_FOREGROUND)) {
      for (const d of deps) this.guard(() => this.processItem(d));
      const blocking = deps.some((d) => {
        const dep = this.lookup(d)?.[1];
        return dep && owners(dep).some((x) => x.uid === uid && x.blockOwnerDeletion === true);
      });
      if (!blocking) drop = FINALIZER_FOREGROUND;
    }
    if (drop === undefined) return;
    const next = clone(o as unknown as JsonObject);
    (next.metadata as JsonObject).finalizers = finalizers.filter((f) => f !== drop);
    this.registry.update(def, r.namespace, r.name, next);
  }

  /** Orphaning: the dependent forgets the owner. */
  private release(r: Ref, ownerUid: string): void {
    const found = this.lookup(r);
    if (found)
      this.setOwners(
        found[0],
        r,
        found[1],
        owners(found[1]).filter((x) => x.uid !== ownerUid),
      );
  }

  /** Rewrites a dependent's ownerReferences (dropped when empty, as kube omits them). */
  private setOwners(
    def: ResourceDef,
    r: Ref,
    o: KubeObject,
    refs: readonly OwnerReference[],
  ): void {
    const next = clone(o as unknown as JsonObject);
    const m = next.metadata as JsonObject;
    if (refs.length > 0) m.ownerReferences = refs;
    else delete m.ownerReferences;
    this.registry.update(def, r.namespace, r.name, next);
  }
}
