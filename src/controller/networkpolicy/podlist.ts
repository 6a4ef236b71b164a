// Pods by key, in insertion order and with a Map's semantics (setting a key that is present keeps
// its place). Most namespaces and groups hold a handful of pods: for them this is one array,
// replaced (never changed in place) on every change, and a Map (some 250 bytes with its table)
// exists only past SMALL pods. Fewer live objects make every minor GC cheaper.
import type { PodState } from './clusterstate.js';
import { exactCopy } from './exactcopy.js';

const SMALL = 16;
const NO_PODS: readonly PodState[] = Object.freeze([]);

export class PodList {
  protected small: readonly PodState[] = NO_PODS;
  protected big: Map<string, PodState> | undefined;

  get count(): number {
    return this.big ? this.big.size : this.small.length;
  }

  get(key: string): PodState | undefined {
    if (this.big) return this.big.get(key);
    for (const p of this.small) if (p.key === key) return p;
    return undefined;
  }

  /** Adds the pod under its key, or replaces the pod there in place; returns the replaced one. */
  set(p: PodState): PodState | undefined {
    if (this.big) {
      const old = this.big.get(p.key);
      this.big.set(p.key, p);
      return old;
    }
    const i = this.small.findIndex((q) => q.key === p.key);
    if (i >= 0) {
      const old = this.small[i];
      const next = this.small.slice();
      next[i] = p;
      this.small = next;
      return old;
    }
    // concat sizes the array exactly; a spread or push would leave room for 16 more.
    if (this.small.length < SMALL) this.small = appended(this.small, [p]);
    else {
      this.big = new Map(this.small.map((q) => [q.key, q]));
      this.big.set(p.key, p);
      this.small = NO_PODS;
    }
    return undefined;
  }

  /** Adds pods whose keys are not present yet, as set() would one by one, in one allocation. */
  addNew(pods: readonly PodState[]): void {
    if (pods.length === 0) return;
    if (!this.big && this.small.length + pods.length <= SMALL)
      this.small = appended(this.small, pods);
    else for (const p of pods) this.set(p);
  }

  /** Removes the pod under the key; returns it. */
  delete(key: string): PodState | undefined {
    if (this.big) {
      const old = this.big.get(key);
      this.big.delete(key);
      return old;
    }
    const i = this.small.findIndex((q) => q.key === key);
    if (i < 0) return undefined;
    const old = this.small[i];
    if (this.small.length === 1) this.small = NO_PODS;
    else {
      const next = this.small.slice();
      next.splice(i, 1);
      this.small = next;
    }
    return old;
  }

  /** A new array of f of each pod, in order (sized exactly: it may be kept). */
  list<T>(f: (p: PodState) => T): T[] {
    return this.big ? exactCopy(Array.from(this.big.values(), f)) : this.small.map(f);
  }

  /** The pods in order. */
  values(): Iterable<PodState> {
    return this.big ? this.big.values() : this.small;
  }
}

/** A new array of both lists (concat on the frozen empty list takes V8's slow path). */
function appended(list: readonly PodState[], more: readonly PodState[]): PodState[] {
  return list.length === 0 ? more.slice() : list.concat(more);
}
