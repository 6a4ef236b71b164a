// The flow cache keyed by owner (a pod, a remote node, a policy rule, the node itself), like
// Antrea's podFlowCache/nodeFlowCache plus its globalConjMatchFlowCache. Owners state the flows
// they want; flows with the same identity (table + priority + match) from several owners are
// ONE OVS flow: conjunctive match flows carry the union of their `conjunction(...)` actions,
// other flows must agree on their actions. A transaction records what owners changed and turns
// only the touched identities into add/modify/delete changes, so one address added to a group
// used by 1,000 rules is one flow change, whatever else the cache holds.
import type { Flow } from '../../ovs/flow.js';
import type { FlowChange } from '../../ovs/ofctl.js';
import { HeadMemo, identityTail } from './flowkey.js';
import { SmallSet } from './smallset.js';

/**
 * One identity: what OVS holds, and each owner's wish. Nearly every flow has a single owner, so
 * that case is kept in two fields; a Map appears only for shared flows.
 */
class Entry {
  /** What OVS holds for this identity, as of the last committed transaction. */
  installed: Flow | undefined;
  /** Touched by the open transaction. */
  dirty = false;
  /** The merged flow the open transaction computed, once changes() ran. */
  desired: Flow | undefined;
  private owner: string | undefined;
  private flow: Flow | undefined;
  private many: Map<string, Flow> | undefined;

  /** The identity, split as the index holds it (see flowkey.ts). */
  constructor(
    readonly head: string,
    readonly tail: string,
  ) {}

  get key(): string {
    return this.head + this.tail;
  }

  get(owner: string): Flow | undefined {
    if (this.many !== undefined) return this.many.get(owner);
    return this.owner === owner ? this.flow : undefined;
  }

  get size(): number {
    return this.many?.size ?? (this.owner === undefined ? 0 : 1);
  }

  /** The only wish (or none); undefined as well when several owners wish. */
  single(): Flow | undefined {
    if (this.many === undefined) return this.flow;
    return this.many.size === 1 ? this.many.values().next().value : undefined;
  }

  wishes(): Flow[] {
    if (this.many !== undefined) return [...this.many.values()];
    return this.flow === undefined ? [] : [this.flow];
  }

  owners(): string[] {
    if (this.many !== undefined) return [...this.many.keys()];
    return this.owner === undefined ? [] : [this.owner];
  }

  set(owner: string, flow: Flow): void {
    if (this.many !== undefined) this.many.set(owner, flow);
    else if (this.owner === undefined || this.owner === owner)
      [this.owner, this.flow] = [owner, flow];
    else {
      this.many = new Map([
        [this.owner, this.flow!],
        [owner, flow],
      ]);
      [this.owner, this.flow] = [undefined, undefined];
    }
  }

  delete(owner: string): void {
    if (this.many !== undefined) this.many.delete(owner);
    else if (this.owner === owner) [this.owner, this.flow] = [undefined, undefined];
  }
}

function isConjunctive(f: Flow): boolean {
  return f.actions.length > 0 && f.actions[0].startsWith('conjunction(');
}

function conjID(action: string): number {
  return Number(action.slice('conjunction('.length, action.indexOf(',')));
}

function sameActions(a: Flow, b: Flow): boolean {
  return a.actions.length === b.actions.length && a.actions.every((x, i) => x === b.actions[i]);
}

/** The one flow OVS should have for an identity, or undefined when no owner wants it. */
function merge(e: Entry): Flow | undefined {
  if (e.size <= 1) return e.single();
  const flows = e.wishes();
  const first = flows[0];
  if (flows.every(isConjunctive)) {
    const byID = [...new Set(flows.flatMap((f) => f.actions))].map((a) => [conjID(a), a] as const);
    byID.sort(([i, a], [j, b]) => i - j || (a < b ? -1 : a > b ? 1 : 0));
    return { ...first, actions: byID.map(([, a]) => a) };
  }
  const other = flows.find((f) => !sameActions(f, first));
  if (other !== undefined) {
    throw new Error(
      `flow ${e.key}: owners ${e.owners().join(', ')} want different actions ` +
        `(${first.actions.join(',') || 'drop'} vs ${other.actions.join(',') || 'drop'})`,
    );
  }
  return first;
}

export class FlowCache {
  /** Identity head → tail → entry. */
  private readonly entries = new Map<string, Map<string, Entry>>();
  private readonly heads = new HeadMemo();
  /** Owner → the entries it wishes a flow for (the flow itself is in the entry). */
  private readonly byOwner = new Map<string, SmallSet<Entry>>();
  /** Entries the open transaction touched. */
  private readonly touched: Entry[] = [];
  /** Owners that appeared in the open transaction: undone by dropping all their wishes. */
  private readonly newOwners = new Set<string>();
  /** Undo log of the other owners: owner, entry, the owner's flow before (parallel arrays). */
  private readonly undoOwner: string[] = [];
  private readonly undoEntry: Entry[] = [];
  private readonly undoFlow: (Flow | undefined)[] = [];
  /** Whether changes() ran since the last edit. */
  private merged = false;

  /** The owner wants this flow (replacing its flow of the same identity). */
  put(owner: string, flow: Flow): void {
    this.putEntry(owner, flow);
  }

  /** put, returning the flow's entry. */
  private putEntry(owner: string, flow: Flow): Entry {
    const head = this.heads.head(flow);
    const tail = identityTail(flow);
    let tails = this.entries.get(head);
    if (tails === undefined) {
      tails = new Map();
      this.entries.set(head, tails);
    }
    let entry = tails.get(tail);
    if (entry === undefined) {
      entry = new Entry(head, tail);
      tails.set(tail, entry);
    }
    const previous = entry.get(owner);
    if (previous !== undefined && sameActions(previous, flow)) return entry;
    let own = this.byOwner.get(owner);
    if (own === undefined) {
      own = new SmallSet();
      this.byOwner.set(owner, own);
      this.newOwners.add(owner);
    }
    this.record(owner, entry, previous);
    if (previous === undefined) own.addNew(entry);
    entry.set(owner, flow);
    return entry;
  }

  /** The owner no longer wants its flow with this flow's identity. */
  remove(owner: string, flow: Flow): void {
    const entry = this.entries.get(this.heads.head(flow))?.get(identityTail(flow));
    if (entry !== undefined) this.removeEntry(owner, entry);
  }

  /** The owner wants exactly these flows: its others are removed. */
  setOwner(owner: string, flows: readonly Flow[]): void {
    const own = this.byOwner.get(owner);
    if (own === undefined) {
      for (const f of flows) this.put(owner, f);
      return;
    }
    const wanted = new Set<Entry>();
    for (const f of flows) wanted.add(this.putEntry(owner, f));
    for (const entry of own.values()) if (!wanted.has(entry)) this.removeEntry(owner, entry);
  }

  clearOwner(owner: string): void {
    for (const entry of this.byOwner.get(owner)?.values() ?? []) this.removeEntry(owner, entry);
  }

  /** The bundle that makes OVS match the owners' wishes; throws on conflicting owners. */
  changes(): FlowChange[] {
    const out: FlowChange[] = [];
    this.merge();
    for (const entry of this.touched) {
      const { installed, desired } = entry;
      if (desired === undefined) {
        if (installed !== undefined) out.push({ op: 'delete', flow: installed });
      } else if (installed === undefined) {
        out.push({ op: 'add', flow: desired });
      } else if (!sameActions(installed, desired)) {
        out.push({ op: 'modify', flow: desired });
      }
    }
    return out;
  }

  /** The changes reached OVS: they become the installed state. */
  commit(): void {
    this.merge();
    for (const entry of this.touched) {
      entry.installed = entry.desired;
      if (entry.desired === undefined && entry.size === 0) this.forgetEntry(entry);
    }
    this.reset();
  }

  /** The changes did not reach OVS: owners' wishes go back to what they were. */
  abort(): void {
    for (const owner of this.newOwners) {
      for (const entry of this.byOwner.get(owner) ?? []) entry.delete(owner);
      this.byOwner.delete(owner);
    }
    for (let i = this.undoOwner.length - 1; i >= 0; i--) {
      const [owner, entry, previous] = [this.undoOwner[i], this.undoEntry[i], this.undoFlow[i]];
      let own = this.byOwner.get(owner);
      if (previous === undefined) {
        own?.delete(entry);
        entry.delete(owner);
        if (own?.size === 0) this.byOwner.delete(owner);
      } else {
        if (own === undefined) {
          own = new SmallSet();
          this.byOwner.set(owner, own);
        }
        if (entry.get(owner) === undefined) own.addNew(entry);
        entry.set(owner, previous);
      }
    }
    for (const entry of this.touched) {
      if (entry.size === 0 && entry.installed === undefined) this.forgetEntry(entry);
    }
    this.reset();
  }

  /** Every installed flow, e.g. to replay them into a restarted OVS. */
  installedFlows(): Flow[] {
    const out: Flow[] = [];
    for (const tails of this.entries.values()) {
      for (const e of tails.values()) if (e.installed !== undefined) out.push(e.installed);
    }
    return out;
  }

  /** The installed flows that this owner contributes to (shared ones included). */
  ownerFlows(owner: string): Flow[] {
    const out: Flow[] = [];
    for (const entry of this.byOwner.get(owner) ?? []) {
      if (entry.installed !== undefined) out.push(entry.installed);
    }
    return out;
  }

  owners(): string[] {
    return [...this.byOwner.keys()];
  }

  private record(owner: string, entry: Entry, previous: Flow | undefined): void {
    this.merged = false;
    if (!this.newOwners.has(owner)) {
      this.undoOwner.push(owner);
      this.undoEntry.push(entry);
      this.undoFlow.push(previous);
    }
    if (!entry.dirty) {
      entry.dirty = true;
      this.touched.push(entry);
    }
  }

  private removeEntry(owner: string, entry: Entry): void {
    const own = this.byOwner.get(owner);
    const previous = entry.get(owner);
    if (own === undefined || previous === undefined) return;
    this.record(owner, entry, previous);
    own.delete(entry);
    if (own.size === 0) this.byOwner.delete(owner);
    entry.delete(owner);
  }

  private forgetEntry(entry: Entry): void {
    const tails = this.entries.get(entry.head);
    tails?.delete(entry.tail);
    if (tails?.size === 0) this.entries.delete(entry.head);
  }

  private merge(): void {
    if (this.merged) return;
    for (const entry of this.touched) entry.desired = merge(entry);
    this.merged = true;
  }

  private reset(): void {
    for (const entry of this.touched) [entry.dirty, entry.desired] = [false, undefined];
    this.touched.length = 0;
    this.undoOwner.length = 0;
    this.undoEntry.length = 0;
    this.undoFlow.length = 0;
    this.newOwners.clear();
    this.merged = false;
  }
}
