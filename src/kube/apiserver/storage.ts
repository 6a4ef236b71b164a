// Durable object storage on SQLite (WAL): the current objects, one global monotonic
// resourceVersion, and a bounded history of change events so that a watch can resume from an
// older resourceVersion, also across a restart (what etcd's revision history gives kube).
// Reads are served from an in-memory copy loaded at start; every write is one transaction,
// so a crash never leaves an object without its event or the other way round.
import Database from 'better-sqlite3';
import type { KubeObject } from '../../apis/meta.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  readonly type: EventType;
  readonly rv: number;
  /** resourceKey of the object's resource (`pods`, `deployments.apps`). */
  readonly resource: string;
  readonly object: KubeObject;
  /** The object before this change; undefined for ADDED or when history no longer has it. */
  readonly prev: KubeObject | undefined;
  /** The object serialized once, shared by every watcher. */
  readonly json: string;
}

// Each version of an object is written once, as an event row; `objects` points at the row of
// each live object's current version (compaction keeps those rows). One write is two small
// B-tree updates plus the appended event, which keeps a commit well under 0.1 ms.
const SCHEMA_VERSION = 2;
const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  rv INTEGER PRIMARY KEY, resource TEXT NOT NULL, type TEXT NOT NULL, prev INTEGER,
  body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
  resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, rv INTEGER NOT NULL,
  PRIMARY KEY (resource, namespace, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

interface EventRow {
  readonly rv: number;
  readonly type: EventType;
  readonly prev: number | null;
  readonly body: string;
}

function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class Storage {
  private readonly db: Database.Database;
  private readonly cache = new Map<string, Map<string, KubeObject>>();
  private rv: number;
  private compacted: number;
  private readonly write: (
    resource: string,
    type: EventType,
    ns: string,
    name: string,
    rv: number,
    prev: number | null,
    json: string,
  ) => void;
  private readonly stmts: {
    since: Database.Statement;
    byRV: Database.Statement;
    compact: Database.Statement;
    setMeta: Database.Statement;
  };

  /** `path` is a file, or ':memory:' for a store that dies with the process. */
  constructor(
    path: string,
    private readonly historySize = 20_000,
  ) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit is in the OS's hands when it returns, so killing the
    // process loses nothing; only a power cut could lose the last transactions.
    this.db.pragma('synchronous = NORMAL');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    const empty = this.db
      .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'")
      .get() as { n: number };
    if (version !== SCHEMA_VERSION && empty.n > 0) {
      this.db.close();
      throw new Error(
        `${path}: storage schema ${version}, this server needs ${SCHEMA_VERSION}; remove the file to start afresh`,
      );
    }
    this.db.exec(SCHEMA);
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    const putEvent = this.db.prepare(
      'INSERT INTO events (rv, resource, type, prev, body) VALUES (?, ?, ?, ?, ?)',
    );
    const putObject = this.db.prepare(
      'INSERT OR REPLACE INTO objects (resource, namespace, name, rv) VALUES (?, ?, ?, ?)',
    );
    const delObject = this.db.prepare(
      'DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?',
    );
    this.write = this.db.transaction((resource, type, ns, name, rv, prev, json) => {
      putEvent.run(rv, resource, type, prev, json);
      if (type === 'DELETED') delObject.run(resource, ns, name);
      else putObject.run(resource, ns, name, rv);
    });
    this.stmts = {
      since: this.db.prepare(
        'SELECT rv, type, prev, body FROM events WHERE rv > ? AND resource = ? ORDER BY rv',
      ),
      byRV: this.db.prepare('SELECT body FROM events WHERE rv = ?'),
      compact: this.db.prepare(
        'DELETE FROM events WHERE rv <= ? AND rv NOT IN (SELECT rv FROM objects)',
      ),
      setMeta: this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    };
    const compacted = this.db.prepare("SELECT value FROM meta WHERE key = 'compacted'").get() as
      { value: number } | undefined;
    this.compacted = compacted?.value ?? 0;
    this.rv =
      (this.db.prepare('SELECT max(rv) AS rv FROM events').get() as { rv: number | null }).rv ?? 0;
    const rows = this.db
      .prepare(
        'SELECT o.resource, o.namespace, o.name, e.body FROM objects o JOIN events e ON e.rv = o.rv',
      )
      .all() as { resource: string; namespace: string; name: string; body: string }[];
    for (const r of rows)
      this.bucket(r.resource).set(objectKey(r.namespace, r.name), JSON.parse(r.body));
  }

  /** The resourceVersion of the latest write. */
  get currentRV(): number {
    return this.rv;
  }

  /** A watch may resume from any resourceVersion at or after this one. */
  get oldestResumableRV(): number {
    return this.compacted;
  }

  private bucket(resource: string): Map<string, KubeObject> {
    let b = this.cache.get(resource);
    if (!b) {
      b = new Map();
      this.cache.set(resource, b);
    }
    return b;
  }

  /** The stored object; callers must not mutate it (clone first). */
  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    return this.cache.get(resource)?.get(objectKey(namespace, name));
  }

  /** Objects of a resource (in one namespace if given), sorted by namespace then name. */
  list(resource: string, namespace?: string): KubeObject[] {
    const all = [...(this.cache.get(resource)?.entries() ?? [])];
    const prefix = namespace === undefined ? undefined : `${namespace}/`;
    return all
      .filter(([k]) => prefix === undefined || k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => v);
  }

  /** Every resource that has objects stored (for the garbage collector's scans). */
  resources(): string[] {
    return [...this.cache.keys()];
  }

  /**
   * Writes one change: stamps the next resourceVersion on `object`, stores it (or removes it for
   * DELETED) and records the event, in one transaction.
   */
  commit(
    resource: string,
    type: EventType,
    object: KubeObject,
    prev: KubeObject | undefined,
  ): StoredEvent {
    const rv = this.rv + 1;
    const stamped: KubeObject = {
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(rv) },
    };
    const json = JSON.stringify(stamped);
    const ns = stamped.metadata.namespace ?? '';
    const name = stamped.metadata.name ?? '';
    const prevRV = prev?.metadata.resourceVersion;
    this.write(resource, type, ns, name, rv, prevRV === undefined ? null : Number(prevRV), json);
    this.rv = rv;
    if (type === 'DELETED') this.bucket(resource).delete(objectKey(ns, name));
    else this.bucket(resource).set(objectKey(ns, name), stamped);
    if (rv - this.compacted > 2 * this.historySize) this.compact(rv - this.historySize);
    return { type, rv, resource, object: stamped, prev, json };
  }

  private compact(upTo: number): void {
    this.db.transaction(() => {
      this.stmts.compact.run(upTo);
      this.stmts.setMeta.run('compacted', upTo);
    })();
    this.compacted = upTo;
  }

  /**
   * The events of a resource after `afterRV`, oldest first, each with the object's previous
   * version (undefined when compaction removed it).
   */
  history(resource: string, afterRV: number): StoredEvent[] {
    const rows = this.stmts.since.all(afterRV, resource) as EventRow[];
    const bodies = new Map(rows.map((r) => [r.rv, r.body]));
    return rows.map((r) => {
      let prev: KubeObject | undefined;
      if (r.prev !== null) {
        const body =
          bodies.get(r.prev) ?? (this.stmts.byRV.get(r.prev) as { body: string } | undefined)?.body;
        prev = body === undefined ? undefined : (JSON.parse(body) as KubeObject);
      }
      return {
        type: r.type,
        rv: r.rv,
        resource,
        object: JSON.parse(r.body) as KubeObject,
        prev,
        json: r.body,
      };
    });
  }

  close(): void {
    this.db.close();
  }
}
