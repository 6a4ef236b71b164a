// Bridge ports through one OVSDB connection instead of an `ovs-vsctl` process per call (each
// costs tens of milliseconds on a busy node): adding a port is one transaction, and its ofport
// comes from a monitor of the Interface table the moment ovs-vswitchd writes it. The same
// monitors answer ofport look-ups without asking the server. Same contract as Vsctl's methods
// of the same names.
import { OvsdbClient, type Condition, type Operation, type TableChanges } from './ovsdb.js';
import { numberOf, stringOf, type OvsdbRow, type OvsdbValue } from './ovsdbjson.js';
import { toRecord, type InterfaceRecord, type PortSpec } from './vsctl.js';

const DEFAULT_TIMEOUT_S = 10;
/** OpenFlow's highest physical port number (OFPP_MAX). */
const MAX_OFPORT = 0xff00;

const map = (entries: Record<string, string> | undefined): OvsdbValue => [
  'map',
  Object.entries(entries ?? {}),
];

const byName = (name: string): Condition[] => [['name', '==', name]];

/** Rows of one table by uuid, with a name index; each row carries its `_uuid` as `list` does. */
class NamedRows {
  private readonly byUuid = new Map<string, OvsdbRow>();
  private readonly byName = new Map<string, string>();

  apply(changes: TableChanges, initial: boolean): void {
    if (initial) {
      this.byUuid.clear();
      this.byName.clear();
    }
    for (const [uuid, row] of changes) {
      const old = stringOf(this.byUuid.get(uuid)?.name);
      if (old !== undefined && this.byName.get(old) === uuid) this.byName.delete(old);
      if (row === undefined) {
        this.byUuid.delete(uuid);
        continue;
      }
      this.byUuid.set(uuid, { ...row, _uuid: ['uuid', uuid] });
      this.byName.set(stringOf(row.name) ?? '', uuid);
    }
  }

  named(name: string): OvsdbRow | undefined {
    const uuid = this.byName.get(name);
    return uuid === undefined ? undefined : this.byUuid.get(uuid);
  }

  rows(): IterableIterator<OvsdbRow> {
    return this.byUuid.values();
  }
}

export class OvsdbPorts {
  private readonly ports = new NamedRows();
  private readonly ifaces = new NamedRows();
  /** Re-checked after every monitor update (waits for an ofport). */
  private readonly watchers = new Set<() => void>();
  private lastOfport = 0;
  private readonly db: OvsdbClient;
  private readonly timeoutS: number;

  private constructor(socketPath: string, opts: { timeoutS?: number }) {
    this.timeoutS = opts.timeoutS ?? DEFAULT_TIMEOUT_S;
    this.db = new OvsdbClient(socketPath, [
      {
        table: 'Port',
        columns: ['name', 'interfaces', 'external_ids'],
        listener: (changes, initial) => this.ports.apply(changes, initial),
      },
      {
        table: 'Interface',
        columns: ['name', 'ofport', 'ofport_request', 'type', 'options', 'mac_in_use', 'error'],
        listener: (changes, initial) => {
          this.ifaces.apply(changes, initial);
          for (const w of this.watchers) w();
        },
      },
    ]);
  }

  /** Connected, with the current ports known. */
  static async connect(socketPath: string, opts: { timeoutS?: number } = {}): Promise<OvsdbPorts> {
    const ports = new OvsdbPorts(socketPath, opts);
    await ports.db.connect();
    // Round-robin goes on after the highest number (LOCAL's 65534 and the like are not ours).
    ports.lastOfport = Math.max(0, ...[...ports.usedOfports()].filter((n) => n < MAX_OFPORT));
    return ports;
  }

  close(): void {
    this.db.close();
  }

  /**
   * An ofport no interface has or asks for, for `ofportRequest`: the caller knows a port's
   * number before ovs-vswitchd assigns it, so its flows can go in meanwhile. Numbers are handed
   * out round-robin, so one that was just released is not reused at once.
   */
  nextOfport(): number {
    const used = new Set(this.usedOfports());
    for (let i = 0; i < MAX_OFPORT - 1; i++) {
      this.lastOfport = (this.lastOfport % (MAX_OFPORT - 1)) + 1;
      if (!used.has(this.lastOfport)) return this.lastOfport;
    }
    throw new Error('every ofport is in use');
  }

  /**
   * Adds (or, if present, updates) a port and returns it once ovs-vswitchd has given it an
   * ofport. If vswitchd cannot open it, the port is removed again and the error names OVS's
   * reason.
   *
   * `deviceLater`: the device is being created meanwhile. vswitchd opens it when it appears, so
   * its errors until then are expected: only the last one is reported, at the timeout. Aborting
   * the signal (the device will not come) ends the wait at once, and removes the port too.
   */
  async addPort(
    bridge: string,
    name: string,
    spec: PortSpec = {},
    opts: { deviceLater?: AbortSignal } = {},
  ): Promise<InterfaceRecord> {
    const iface: Record<string, OvsdbValue> = {
      type: spec.type === undefined || spec.type === 'system' ? '' : spec.type,
      options: map(spec.options),
      ...(spec.ofportRequest === undefined ? {} : { ofport_request: spec.ofportRequest }),
    };
    const externalIds = map(spec.externalIds);
    const ops: Operation[] =
      this.ports.named(name) === undefined
        ? [
            { op: 'insert', table: 'Interface', row: { name, ...iface }, 'uuid-name': 'iface' },
            {
              op: 'insert',
              table: 'Port',
              row: { name, interfaces: ['named-uuid', 'iface'], external_ids: externalIds },
              'uuid-name': 'port',
            },
            {
              op: 'mutate',
              table: 'Bridge',
              where: byName(bridge),
              mutations: [['ports', 'insert', ['named-uuid', 'port']]],
            },
          ]
        : [
            { op: 'update', table: 'Interface', where: byName(name), row: iface },
            {
              op: 'update',
              table: 'Port',
              where: byName(name),
              row: { external_ids: externalIds },
            },
          ];
    const results = await this.db.transact(ops);
    if (ops[2] !== undefined && results[2]?.count !== 1) {
      throw new Error(`port ${name}: no bridge ${bridge}`);
    }
    try {
      return await this.waitForOfport(name, opts.deviceLater);
    } catch (e) {
      await this.delPort(bridge, name);
      throw new Error(`port ${name} on bridge ${bridge}: ${(e as Error).message}`);
    }
  }

  /** Removes the port from the bridge (OVSDB then drops its rows); a missing one is fine. */
  async delPort(bridge: string, name: string): Promise<void> {
    const port = this.ports.named(name);
    if (port === undefined) return;
    await this.db.transact([
      {
        op: 'mutate',
        table: 'Bridge',
        where: byName(bridge),
        mutations: [['ports', 'delete', port._uuid]],
      },
    ]);
  }

  async getOfport(name: string): Promise<number> {
    await this.db.connect(); // after a reconnect, the monitors have the current rows again
    const iface = this.ifaces.named(name);
    const ofport = numberOf(iface?.ofport);
    if (ofport === undefined || ofport <= 0) {
      const error = stringOf(iface?.error);
      throw new Error(`interface ${name}: no ofport${error ? `: ${error}` : ''}`);
    }
    return ofport;
  }

  private *usedOfports(): Generator<number> {
    for (const i of this.ifaces.rows()) {
      for (const n of [numberOf(i.ofport), numberOf(i.ofport_request)])
        if (n !== undefined && n > 0) yield n;
    }
  }

  private waitForOfport(name: string, deviceLater?: AbortSignal): Promise<InterfaceRecord> {
    return new Promise((resolve, reject) => {
      let lastError: string | undefined;
      const done = (e?: Error): void => {
        this.watchers.delete(check);
        clearTimeout(timer);
        deviceLater?.removeEventListener('abort', aborted);
        if (e !== undefined) reject(e);
      };
      const check = (): void => {
        const iface = this.ifaces.named(name);
        const port = this.ports.named(name);
        if (iface === undefined || port === undefined) return;
        const record = toRecord(port, iface);
        lastError = stringOf(iface.error);
        if (record.ofport > 0) {
          done();
          resolve(record);
        } else if (lastError !== undefined && deviceLater === undefined) {
          done(new Error(`no ofport: ${lastError}`));
        }
      };
      const aborted = (): void => done(new Error('no ofport: the device was not created'));
      const timer = setTimeout(
        () => done(new Error(`no ofport: ${lastError ?? `none after ${this.timeoutS} s`}`)),
        this.timeoutS * 1000,
      );
      if (deviceLater?.aborted) return aborted();
      deviceLater?.addEventListener('abort', aborted);
      this.watchers.add(check);
      check();
    });
  }
}
