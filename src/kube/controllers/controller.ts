// What every kube controller here is: a name, a work queue that its informer handlers fill,
// and a reconcile of one key that reads the cache and makes the API match. index.ts runs them.
import type { Clients } from './api.js';
import type { SharedInformers } from './informers.js';
import { canonicalJson } from './templateHash.js';
import type { WorkQueue } from './workqueue.js';

export interface Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  reconcile(key: string): Promise<void>;
}

export interface ControllerContext {
  readonly informers: SharedInformers;
  readonly clients: Clients;
  readonly now: () => number;
}

/** True when `next` sets any field to a value other than `current`'s (absent counts as 0). */
export function statusChanged(current: object | undefined, next: object): boolean {
  const cur = (current ?? {}) as Readonly<Record<string, unknown>>;
  return Object.entries(next).some(
    ([k, v]) => canonicalJson(cur[k] ?? 0) !== canonicalJson(v ?? 0),
  );
}

/** RFC 3339 at second precision, as kube writes metav1.Time. */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
