// Fans committed events out to live subscribers of a resource. Everything runs on one thread
// and a commit publishes synchronously, so a watcher that reads history and subscribes in the
// same tick can neither miss nor repeat an event.
import type { StoredEvent } from './storage.js';

export type Listener = (event: StoredEvent) => void;

export class WatchHub {
  private readonly byResource = new Map<string, Set<Listener>>();
  private readonly everything = new Set<Listener>();

  /** Listens to one resource (by resourceKey), or to all of them with `'*'`. */
  subscribe(resource: string, listener: Listener): () => void {
    let set: Set<Listener>;
    if (resource === '*') set = this.everything;
    else {
      set = this.byResource.get(resource) ?? new Set();
      this.byResource.set(resource, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  publish(event: StoredEvent): void {
    for (const l of this.byResource.get(event.resource) ?? []) l(event);
    for (const l of this.everything) l(event);
  }
}
