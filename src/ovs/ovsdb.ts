// An OVSDB client (RFC 7047) over one JSON-RPC connection to ovsdb-server: transactions, and
// monitors that report a table's rows as they change. If ovsdb-server goes away, the next call
// reconnects and each monitor starts over: its listener gets the whole table again.
import { JsonRpcConnection } from './jsonrpc.js';
import type { OvsdbRow, OvsdbValue } from './ovsdbjson.js';

export type Condition = readonly [column: string, fn: '==' | '!=', value: OvsdbValue];

export type Operation =
  | {
      readonly op: 'insert';
      readonly table: string;
      readonly row: Readonly<Record<string, OvsdbValue>>;
      readonly 'uuid-name'?: string;
    }
  | {
      readonly op: 'update';
      readonly table: string;
      readonly where: readonly Condition[];
      readonly row: Readonly<Record<string, OvsdbValue>>;
    }
  | {
      readonly op: 'mutate';
      readonly table: string;
      readonly where: readonly Condition[];
      readonly mutations: readonly (readonly [column: string, mutator: string, OvsdbValue])[];
    };

export interface OperationResult {
  readonly uuid?: readonly ['uuid', string];
  readonly count?: number;
  readonly error?: string;
  readonly details?: string;
}

/** Row changes of one table: uuid → the row's new state, or undefined if it was deleted. */
export type TableChanges = ReadonlyMap<string, OvsdbRow | undefined>;

/** `initial`: the changes are the whole table (after a (re)connect), not a difference. */
export type MonitorListener = (changes: TableChanges, initial: boolean) => void;

export interface Monitor {
  readonly table: string;
  readonly columns: readonly string[];
  readonly listener: MonitorListener;
}

type TableUpdates = Record<string, Record<string, { new?: OvsdbRow }>>;

/** A transaction that OVSDB refused, with the failing operation's reason. */
export class OvsdbError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'OvsdbError';
  }
}

export class OvsdbClient {
  private conn: Promise<JsonRpcConnection> | undefined;
  private closing = false;

  constructor(
    /** ovsdb-server's unix socket. */
    private readonly socketPath: string,
    /** Set up on every connection; each listener first gets its whole table. */
    private readonly monitors: readonly Monitor[] = [],
    private readonly db = 'Open_vSwitch',
  ) {}

  /** Connects (if not connected) and sets up the monitors. */
  async connect(): Promise<void> {
    await this.connection();
  }

  /** Runs the operations as one transaction; rejects with the first failing one's error. */
  async transact(ops: readonly Operation[]): Promise<OperationResult[]> {
    const conn = await this.connection();
    const results = (await conn.request('transact', [
      this.db,
      ...ops,
    ])) as (OperationResult | null)[];
    // One result per operation, plus one more if the commit itself failed.
    const failed = results.findIndex((r) => r?.error !== undefined);
    if (failed >= 0) {
      const r = results[failed] as OperationResult;
      const what = failed < ops.length ? `${ops[failed].op} ${ops[failed].table}` : 'commit';
      throw new OvsdbError(`${what}: ${r.error}${r.details ? `: ${r.details}` : ''}`);
    }
    return results as OperationResult[];
  }

  close(): void {
    this.closing = true;
    void this.conn?.then((c) => c.close()).catch(() => undefined);
    this.conn = undefined;
  }

  private connection(): Promise<JsonRpcConnection> {
    if (this.closing) return Promise.reject(new Error('OVSDB client closed'));
    if (this.conn !== undefined) return this.conn;
    const conn = JsonRpcConnection.connect(this.socketPath, (method, params) =>
      this.notified(method, params),
    ).then(async (c) => {
      c.onClose(() => {
        if (this.conn === conn) this.conn = undefined;
      });
      for (const m of this.monitors) await this.sendMonitor(c, m);
      return c;
    });
    this.conn = conn;
    conn.catch(() => {
      if (this.conn === conn) this.conn = undefined;
    });
    return conn;
  }

  private async sendMonitor(conn: JsonRpcConnection, m: Monitor): Promise<void> {
    const initial = (await conn.request('monitor', [
      this.db,
      m.table,
      { [m.table]: { columns: m.columns } },
    ])) as TableUpdates;
    m.listener(changesOf(initial[m.table]), true);
  }

  private notified(method: string, params: unknown): void {
    if (method !== 'update' || !Array.isArray(params)) return;
    const [table, updates] = params as [string, TableUpdates];
    this.monitors.find((m) => m.table === table)?.listener(changesOf(updates[table]), false);
  }
}

function changesOf(rows: Record<string, { new?: OvsdbRow }> | undefined): TableChanges {
  return new Map(Object.entries(rows ?? {}).map(([uuid, r]) => [uuid, r.new]));
}
