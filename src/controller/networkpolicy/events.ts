// Change events the controller emits for the controlplane objects it computes. They carry
// names only; a consumer reads the current object (and its span) from the controller, so a burst
// of changes to one object costs one event.
export type ControlPlaneKind = 'NetworkPolicy' | 'AddressGroup' | 'AppliedToGroup';
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ControlPlaneEvent {
  readonly type: EventType;
  readonly kind: ControlPlaneKind;
  readonly name: string;
}

/** What an operation that changed nothing returns (most pod and namespace changes). */
const NO_EVENTS: readonly ControlPlaneEvent[] = Object.freeze([]);

/** Folds the events of one operation: ADDED+MODIFIED=ADDED, ADDED+DELETED=nothing, … */
export class EventBatch {
  private readonly pending = new Map<string, ControlPlaneEvent>();

  add(type: EventType, kind: ControlPlaneKind, name: string): void {
    const key = `${kind}/${name}`;
    const prev = this.pending.get(key);
    let next: EventType | undefined = type;
    if (prev) {
      if (prev.type === 'ADDED') next = type === 'DELETED' ? undefined : 'ADDED';
      else if (prev.type === 'DELETED') next = type === 'ADDED' ? 'MODIFIED' : type;
      else next = type === 'ADDED' ? 'MODIFIED' : type;
    }
    if (next === undefined) this.pending.delete(key);
    else this.pending.set(key, { type: next, kind, name });
  }

  drain(): readonly ControlPlaneEvent[] {
    if (this.pending.size === 0) return NO_EVENTS;
    const out = [...this.pending.values()];
    this.pending.clear();
    return out;
  }
}
