// The table the DNS server answers from: fully qualified name → its A records. Changes arrive
// one name at a time (an empty list removes the name); a new feed replaces the whole table at
// once so that names which vanished while it was away do not linger.

/** The A records of one name after a change; no addresses: the name is gone. */
export interface RecordChange {
  readonly name: string;
  readonly ips: readonly string[];
}

/** One line of a record feed process (feed.ts): a change, or the end of its first full list. */
export type FeedLine = RecordChange | { readonly synced: true };

/** Names compare as DNS compares them: case-insensitively, with or without the final dot. */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

export class RecordTable {
  private records = new Map<string, readonly string[]>();

  apply(change: RecordChange): void {
    const name = canonicalName(change.name);
    if (change.ips.length === 0) this.records.delete(name);
    else this.records.set(name, [...change.ips]);
  }

  /** Replaces every record with `changes` (a feed's full state). */
  reset(changes: Iterable<RecordChange>): void {
    this.records = new Map();
    for (const c of changes) this.apply(c);
  }

  /** The name's addresses; undefined when the name does not exist. */
  lookup(name: string): readonly string[] | undefined {
    return this.records.get(canonicalName(name));
  }

  get size(): number {
    return this.records.size;
  }
}
