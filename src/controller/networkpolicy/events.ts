// Change events the controller emits for the controlplane objects it computes. They carry
// names only; a consumer reads the current object (and its span) from the controller, so a burst
// of changes to one object costs one event.
import { exactCopy } from './exactcopy.js';
import { clearScratch } from './scratch.js';

export type ControlPlaneKind = 'NetworkPolicy' | 'AddressGroup' | 'AppliedToGroup';
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ControlPlaneEvent {
  readonly type: EventType;
  readonly kind: ControlPlaneKind;
  readonly name: string;
}

/** What an operation that changed nothing returns (most pod and namespace changes). */
const NO_EVENTS: readonly ControlPlaneEvent[] = Object.freeze([]);

/** Past this many pending events (a namespace change, a tier change), they are found by key. */
const INDEX_FROM = 16;

/**
 * Folds the events of one operation: ADDED+MODIFIED=ADDED, ADDED+DELETED=nothing, … An event
 * keeps the place of the first one it folds. Most operations yield a few events, found by a scan;
 * no key string or Map is made for them.
 */
export class EventBatch {
  /** In order; a folded-away event leaves a hole (undefined) until drained. */
  private readonly pending: (ControlPlaneEvent | undefined)[] = [];
  private holes = false;
  /** `kind/name` → position in pending, once there are many. */
  private index: Map<string, number> | undefined;

  add(type: EventType, kind: ControlPlaneKind, name: string): void {
    const i = this.find(kind, name);
    const prev = i < 0 ? undefined : this.pending[i]!;
    let next: EventType | undefined = type;
    if (prev) {
      if (prev.type === 'ADDED') next = type === 'DELETED' ? undefined : 'ADDED';
      else if (prev.type === 'DELETED') next = type === 'ADDED' ? 'MODIFIED' : type;
      else next = type === 'ADDED' ? 'MODIFIED' : type;
    }
    if (i >= 0) {
      this.pending[i] = next === undefined ? undefined : { type: next, kind, name };
      if (next === undefined) {
        this.holes = true;
        this.index?.delete(`${kind}/${name}`);
      }
      return;
    }
    this.pending.push({ type, kind, name });
    if (this.index) this.index.set(`${kind}/${name}`, this.pending.length - 1);
    else if (this.pending.length > INDEX_FROM) {
      this.index = new Map();
      this.pending.forEach((e, j) => e && this.index!.set(`${e.kind}/${e.name}`, j));
    }
  }

  drain(): readonly ControlPlaneEvent[] {
    if (this.pending.length === 0) return NO_EVENTS;
    // Without holes every slot holds an event. A copy goes out, of just its length: the pending
    // list keeps its room for the next operation (see clearScratch).
    const out = this.holes
      ? this.pending.filter((e) => e !== undefined)
      : exactCopy(this.pending as ControlPlaneEvent[]);
    clearScratch(this.pending);
    this.holes = false;
    this.index = undefined;
    return out.length === 0 ? NO_EVENTS : out;
  }

  private find(kind: ControlPlaneKind, name: string): number {
    if (this.index) return this.index.get(`${kind}/${name}`) ?? -1;
    for (let i = 0; i < this.pending.length; i++) {
      const e = this.pending[i];
      if (e && e.name === name && e.kind === kind) return i;
    }
    return -1;
  }
}
