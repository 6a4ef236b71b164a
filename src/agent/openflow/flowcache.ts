// The flow cache keyed by owner (a pod, a remote node, a policy rule, the node itself), like
// Antrea's podFlowCache/nodeFlowCache plus its globalConjMatchFlowCache. Owners state the flows
// they want; flows with the same identity (table + priority + match) from several owners are
// ONE OVS flow: conjunctive match flows carry the union of their `conjunction(...)` actions,
// other flows must agree on their actions. A transaction records what owners changed and turns
// only the touched identities into add/modify/delete changes, so one address added to a group
// used by 1,000 rules is one flow change, whatever else the cache holds. Flows are held as the
// text of their bundle lines (see flowkey.ts); typed flows are parsed only for their readers.
import type { Flow } from '../../ovs/flow.js';
import type { FlowChange } from '../../ovs/ofctl.js';
import { splitTopLevel } from '../../ovs/textsplit.js';
import { formatFlowValue as formatValue } from '../../ovs/flowtext.js';
import { flowHead, flowTail, FlowTexts, parseCachedFlow } from './flowkey.js';
import { SmallSet } from './smallset.js';

/** The entries of one identity head (see flowkey.ts), by tail. */
class HeadGroup {
  readonly tails = new Map<string, Entry>();
  constructor(readonly head: string) {}
}

/**
 * One identity: what OVS holds, and each owner's wish, as flow values (see flowkey.ts). Nearly
 * every flow has a single owner, so that case is kept in two fields; a Map appears only for
 * shared flows.
 */
class Entry {
  /** What OVS holds for this identity, as of the last committed transaction. */
  installed: string | undefined;
  /** Touched by the open transaction. */
  dirty = false;
  /** The merged value the open transaction computed, once changes() ran. */
  desired: string | undefined;
  private owner: string | undefined;
  private value: string | undefined;
  private many: Map<string, string> | undefined;

  constructor(
    readonly group: HeadGroup,
    readonly tail: string,
  ) {}

  get key(): string {
    return this.group.head + this.tail;
  }

  get(owner: string): string | undefined {
    if (this.many !== undefined) return this.many.get(owner);
    return this.owner === owner ? this.value : undefined;
  }

  get size(): number {
    return this.many?.size ?? (this.owner === undefined ? 0 : 1);
  }

  /** The only wish (or none); undefined as well when several owners wish. */
  single(): string | undefined {
    if (this.many === undefined) return this.value;
    return this.many.size === 1 ? this.many.values().next().value : undefined;
  }

  wishes(): string[] {
    if (this.many !== undefined) return [...this.many.values()];
    return this.value === undefined ? [] : [this.value];
  }

  owners(): string[] {
    if (this.many !== undefined) return [...this.many.keys()];
    return this.owner === undefined ? [] : [this.owner];
  }

  set(owner: string, value: string): void {
    if (this.many !== undefined) this.many.set(owner, value);
    else if (this.owner === undefined || this.owner === owner)
      [this.owner, this.value] = [owner, value];
    else {
      this.many = new Map([
        [this.owner, this.value!],
        [owner, value],
      ]);
      [this.owner, this.value] = [undefined, undefined];
    }
  }

  delete(owner: string): void {
    if (this.many !== undefined) this.many.delete(owner);
    else if (this.owner === owner) [this.owner, this.value] = [undefined, undefined];
  }

  flow(value: string): Flow {
    return parseCachedFlow(this.group.head, this.tail, value);
  }
}

const ACTIONS = 'actions=';
const CONJUNCTION = `${ACTIONS}conjunction(`;

function conjID(action: string): number {
  return Number(action.slice('conjunction('.length, action.indexOf(',')));
}

/** The one value OVS should have for an identity, or undefined when no owner wants it. */
function merge(e: Entry): string | undefined {
  if (e.size <= 1) return e.single();
  const values = e.wishes();
  const first = values[0];
  if (values.every((v) => v.startsWith(CONJUNCTION))) {
    const actions = new Set(values.flatMap((v) => splitTopLevel(v.slice(ACTIONS.length), ',')));
    const byID = [...actions].map((a) => [conjID(a), a] as const);
    byID.sort(([i, a], [j, b]) => i - j || (a < b ? -1 : a > b ? 1 : 0));
    return ACTIONS + byID.map(([, a]) => a).join(',');
  }
  const other = values.find((v) => v !== first);
  if (other !== undefined) {
    throw new Error(
      `flow ${e.key}: owners ${e.owners().join(', ')} want different actions ` +
        `(${first} vs ${other})`,
    );
  }
  return first;
}

/** A change of the cache: its bundle line is built from the cached text, its flow parsed on demand. */
class CachedChange implements FlowChange {
  constructor(
    readonly op: 'add' | 'modify' | 'delete',
    private readonly entry: Entry,
    private readonly value: string,
  ) {}

  get line(): string {
    const key = this.entry.key;
    if (this.op === 'delete') return `delete_strict ${key}`;
    return `${this.op === 'add' ? 'add' : 'modify_strict'} ${key} ${this.value}`;
  }

  get flow(): Flow {
    return this.entry.flow(this.value);
  }
}

export class FlowCache {
  /** Identity head → its entries. */
  private readonly entries = new Map<string, HeadGroup>();
  /** The group of the last head looked up: an owner's flows come in runs of one head. */
  private lastGroup: HeadGroup | undefined;
  /** Owner → the entries it wishes a flow for (the wish itself is in the entry). */
  private readonly byOwner = new Map<string, SmallSet<Entry>>();
  /** Entries the open transaction touched. */
  private readonly touched: Entry[] = [];
  /** Owners that appeared in the open transaction: undone by dropping all their wishes. */
  private readonly newOwners = new Set<string>();
  /** Undo log of the other owners: owner, entry, the owner's value before (parallel arrays). */
  private readonly undoOwner: string[] = [];
  private readonly undoEntry: Entry[] = [];
  private readonly undoValue: (string | undefined)[] = [];
  /** Whether the entries' desired values are up to date (changes() ran since the last edit). */
  private merged = false;

  /** The owner wants this flow (replacing its flow of the same identity). */
  put(owner: string, flow: Flow): void {
    this.putEntry(owner, this.entry(flowHead(flow), flowTail(flow)), formatValue(flow));
  }

  /** The owner no longer wants its flow with this flow's identity. */
  remove(owner: string, flow: Flow): void {
    const entry = this.entries.get(flowHead(flow))?.tails.get(flowTail(flow));
    if (entry !== undefined) this.removeEntry(owner, entry);
  }

  /** The owner wants exactly these flows: its others are removed. */
  setOwner(owner: string, flows: readonly Flow[] | FlowTexts): void {
    const texts = flows instanceof FlowTexts ? flows : FlowTexts.of(flows);
    const { heads, tails, values, length } = texts;
    const own = this.byOwner.get(owner);
    if (own === undefined) {
      this.addOwner(owner, texts);
      return;
    }
    const wanted = new Set<Entry>();
    for (let i = 0; i < length; i++) {
      const entry = this.entry(heads[i], tails[i]);
      this.putEntry(owner, entry, values[i]);
      wanted.add(entry);
    }
    for (const entry of own.values()) if (!wanted.has(entry)) this.removeEntry(owner, entry);
  }

  clearOwner(owner: string): void {
    for (const entry of this.byOwner.get(owner)?.values() ?? []) this.removeEntry(owner, entry);
  }

  /** The bundle that makes OVS match the owners' wishes; throws on conflicting owners. */
  changes(): FlowChange[] {
    const out: FlowChange[] = [];
    for (const entry of this.touched) {
      const desired = merge(entry);
      entry.desired = desired;
      const installed = entry.installed;
      if (desired === undefined) {
        if (installed !== undefined) out.push(new CachedChange('delete', entry, installed));
      } else if (installed === undefined) {
        out.push(new CachedChange('add', entry, desired));
      } else if (installed !== desired) {
        out.push(new CachedChange('modify', entry, desired));
      }
    }
    this.merged = true;
    return out;
  }

  /** The changes reached OVS: they become the installed state. */
  commit(): void {
    if (!this.merged) for (const entry of this.touched) entry.desired = merge(entry);
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
      const [owner, entry, previous] = [this.undoOwner[i], this.undoEntry[i], this.undoValue[i]];
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
    this.forEachInstalled((e) => out.push(e.flow(e.installed!)));
    return out;
  }

  /** Every installed flow as an add-flows line (`table=…, priority=…,match actions=…`). */
  installedLines(): string[] {
    const out: string[] = [];
    this.forEachInstalled((e) => out.push(`${e.key} ${e.installed!}`));
    return out;
  }

  /** Every installed flow as an `add` change (a replay's bundle). */
  installedChanges(): FlowChange[] {
    const out: FlowChange[] = [];
    this.forEachInstalled((e) => out.push(new CachedChange('add', e, e.installed!)));
    return out;
  }

  /** The installed flows that this owner contributes to (shared ones included). */
  ownerFlows(owner: string): Flow[] {
    const out: Flow[] = [];
    for (const entry of this.byOwner.get(owner) ?? []) {
      if (entry.installed !== undefined) out.push(entry.flow(entry.installed));
    }
    return out;
  }

  owners(): string[] {
    return [...this.byOwner.keys()];
  }

  private forEachInstalled(visit: (e: Entry) => void): void {
    for (const group of this.entries.values()) {
      for (const e of group.tails.values()) if (e.installed !== undefined) visit(e);
    }
  }

  /** The entry of an identity, created if new. */
  private entry(head: string, tail: string): Entry {
    let group = this.lastGroup;
    if (group === undefined || group.head !== head) {
      group = this.entries.get(head);
      if (group === undefined) {
        group = new HeadGroup(head);
        this.entries.set(head, group);
      }
      this.lastGroup = group;
    }
    let entry = group.tails.get(tail);
    if (entry === undefined) {
      entry = new Entry(group, tail);
      group.tails.set(tail, entry);
    }
    return entry;
  }

  /**
   * A brand-new owner's flows (every rule of an initial sync): one owner lookup, and no undo
   * log (abort drops a new owner's wishes whole).
   */
  private addOwner(owner: string, { heads, tails, values, length }: FlowTexts): void {
    const own = new SmallSet<Entry>();
    this.byOwner.set(owner, own);
    this.newOwners.add(owner);
    this.merged = false;
    for (let i = 0; i < length; i++) {
      const entry = this.entry(heads[i], tails[i]);
      const previous = entry.get(owner);
      if (previous === values[i]) continue;
      if (previous === undefined) own.addNew(entry);
      entry.set(owner, values[i]);
      this.touch(entry);
    }
  }

  private putEntry(owner: string, entry: Entry, value: string): void {
    const previous = entry.get(owner);
    if (previous === value) return;
    let own = this.byOwner.get(owner);
    if (own === undefined) {
      own = new SmallSet();
      this.byOwner.set(owner, own);
      this.newOwners.add(owner);
    }
    this.record(owner, entry, previous);
    if (previous === undefined) own.addNew(entry);
    entry.set(owner, value);
  }

  private record(owner: string, entry: Entry, previous: string | undefined): void {
    this.merged = false;
    if (!this.newOwners.has(owner)) {
      this.undoOwner.push(owner);
      this.undoEntry.push(entry);
      this.undoValue.push(previous);
    }
    this.touch(entry);
  }

  private touch(entry: Entry): void {
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
    const { group } = entry;
    group.tails.delete(entry.tail);
    if (group.tails.size === 0) {
      this.entries.delete(group.head);
      if (this.lastGroup === group) this.lastGroup = undefined;
    }
  }

  private reset(): void {
    for (const entry of this.touched) [entry.dirty, entry.desired] = [false, undefined];
    this.touched.length = 0;
    this.undoOwner.length = 0;
    this.undoEntry.length = 0;
    this.undoValue.length = 0;
    this.newOwners.clear();
    this.merged = false;
  }
}
