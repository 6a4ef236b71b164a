// OVSDB through ovs-vsctl. Reads use `--format=json` and are parsed as data, not screen-scraped.
// Writes wait (ovs-vsctl's default) until ovs-vswitchd has applied them, bounded by --timeout so
// a dead vswitchd makes a call fail instead of hang. External ids live on the Port row, as in
// Antrea; an InterfaceRecord joins a Port with its Interface.
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../util/exec.js';
import { mapOf, numberOf, parseTables, stringOf, uuidsOf, type OvsdbRow } from './ovsdbjson.js';

export interface PortSpec {
  /** Absent or `system`: an existing network device (e.g. the host end of a veth). */
  type?: 'internal' | 'geneve' | 'vxlan' | 'system';
  options?: Record<string, string>;
  externalIds?: Record<string, string>;
  ofportRequest?: number;
}

export interface InterfaceRecord {
  name: string;
  /** The Port row's uuid (Antrea's PORT-UUID). */
  uuid: string;
  ofport: number;
  /** OVS's interface type; a plain device (OVS's empty type) reads as `system`. */
  type: string;
  /** The Port row's external_ids. */
  externalIds: Record<string, string>;
  options: Record<string, string>;
  /** The MAC address the interface uses (mac_in_use). */
  mac?: string;
}

const PORT_COLUMNS = '_uuid,name,interfaces,external_ids';
const IFACE_COLUMNS = '_uuid,name,ofport,type,options,mac_in_use,error';
const DEFAULT_TIMEOUT_S = 10;

/** `column:"key"="value"` arguments; JSON quoting is what OVSDB's string syntax accepts. */
function mapArgs(column: string, entries: Record<string, string> | undefined): string[] {
  return Object.entries(entries ?? {}).map(
    ([k, v]) => `${column}:${JSON.stringify(k)}=${JSON.stringify(v)}`,
  );
}

/** An InterfaceRecord from a Port row and its Interface row (as `list` or a monitor gives them). */
export function toRecord(port: OvsdbRow, iface: OvsdbRow): InterfaceRecord {
  const mac = stringOf(iface.mac_in_use);
  return {
    name: stringOf(iface.name) ?? '',
    uuid: stringOf(port._uuid) ?? '',
    ofport: numberOf(iface.ofport) ?? -1,
    type: stringOf(iface.type) || 'system',
    externalIds: mapOf(port.external_ids),
    options: mapOf(iface.options),
    ...(mac === undefined || mac === '' ? {} : { mac }),
  };
}

export class Vsctl {
  private readonly db: string;
  private readonly netns: string | undefined;
  private readonly timeoutS: number;

  /** `dbSocket`: ovsdb-server's socket path (or a full `unix:`/`tcp:` remote). */
  constructor(opts: { dbSocket: string; netns?: string; timeoutS?: number }) {
    this.db = /^(unix|tcp|ssl):/.test(opts.dbSocket) ? opts.dbSocket : `unix:${opts.dbSocket}`;
    this.netns = opts.netns;
    this.timeoutS = opts.timeoutS ?? DEFAULT_TIMEOUT_S;
  }

  private vsctl(args: readonly string[]): Promise<string> {
    return run('ovs-vsctl', [`--db=${this.db}`, `--timeout=${this.timeoutS}`, ...args], {
      netns: this.netns,
      timeoutMs: (this.timeoutS + 5) * 1000,
    });
  }

  private async query(commands: readonly (readonly string[])[]): Promise<OvsdbRow[][]> {
    return parseTables(
      await this.vsctl(['--format=json', ...commands.flatMap((c) => ['--', ...c])]),
    );
  }

  /** Creates the bridge if missing (userspace `netdev` datapath unless told otherwise). */
  async addBridge(
    name: string,
    opts: {
      datapathType?: 'netdev' | 'system';
      externalIds?: Record<string, string>;
      /** `secure`: no NORMAL flow of OVS's own, which is how a CNI runs its bridge. */
      failMode?: 'secure' | 'standalone';
    } = {},
  ): Promise<void> {
    const columns = [
      `datapath_type=${opts.datapathType ?? 'netdev'}`,
      ...(opts.failMode === undefined ? [] : [`fail_mode=${opts.failMode}`]),
      ...mapArgs('external_ids', opts.externalIds),
    ];
    await this.vsctl(['--may-exist', 'add-br', name, '--', 'set', 'Bridge', name, ...columns]);
  }

  async delBridge(name: string): Promise<void> {
    await this.vsctl(['--if-exists', 'del-br', name]);
  }

  /**
   * Adds (or, if present, updates) a port and returns it once vswitchd has given it an ofport.
   * If vswitchd cannot open it, the port is removed again and the error names OVS's reason.
   */
  async addPort(bridge: string, name: string, spec: PortSpec = {}): Promise<InterfaceRecord> {
    const iface = [
      ...(spec.type === undefined || spec.type === 'system' ? [] : [`type=${spec.type}`]),
      ...mapArgs('options', spec.options),
      ...(spec.ofportRequest === undefined ? [] : [`ofport_request=${spec.ofportRequest}`]),
    ];
    const port = mapArgs('external_ids', spec.externalIds);
    await this.vsctl([
      '--may-exist',
      'add-port',
      bridge,
      name,
      ...(iface.length === 0 ? [] : ['--', 'set', 'Interface', name, ...iface]),
      ...(port.length === 0 ? [] : ['--', 'set', 'Port', name, ...port]),
    ]);
    try {
      return await this.waitForOfport(name);
    } catch (e) {
      await this.delPort(bridge, name);
      throw new Error(`port ${name} on bridge ${bridge}: ${(e as Error).message}`);
    }
  }

  private async waitForOfport(name: string): Promise<InterfaceRecord> {
    for (const end = Date.now() + this.timeoutS * 1000; ; await sleep(50)) {
      const [[port], [iface]] = await this.query([
        ['--columns=' + PORT_COLUMNS, 'list', 'Port', name],
        ['--columns=' + IFACE_COLUMNS, 'list', 'Interface', name],
      ]);
      const record = toRecord(port, iface);
      if (record.ofport > 0) return record;
      const error = stringOf(iface.error);
      if (error !== undefined || Date.now() > end) {
        throw new Error(`no ofport: ${error ?? `none after ${this.timeoutS} s`}`);
      }
    }
  }

  async delPort(bridge: string, name: string): Promise<void> {
    await this.vsctl(['--if-exists', 'del-port', bridge, name]);
  }

  async getOfport(name: string): Promise<number> {
    const [[iface]] = await this.query([['--columns=ofport,error', 'list', 'Interface', name]]);
    const ofport = numberOf(iface.ofport);
    if (ofport === undefined || ofport <= 0) {
      throw new Error(
        `interface ${name}: no ofport${stringOf(iface.error) ? `: ${stringOf(iface.error)}` : ''}`,
      );
    }
    return ofport;
  }

  /** Every interface on the bridge except the bridge's own LOCAL port, by ofport. */
  async listInterfaces(bridge: string): Promise<InterfaceRecord[]> {
    const [[br], ports, ifaces] = await this.query([
      ['--columns=ports', 'list', 'Bridge', bridge],
      ['--columns=' + PORT_COLUMNS, 'list', 'Port'],
      ['--columns=' + IFACE_COLUMNS, 'list', 'Interface'],
    ]);
    const portsByUuid = new Map(ports.map((p) => [stringOf(p._uuid), p]));
    const ifacesByUuid = new Map(ifaces.map((i) => [stringOf(i._uuid), i]));
    const records: InterfaceRecord[] = [];
    for (const portUuid of uuidsOf(br.ports)) {
      const port = portsByUuid.get(portUuid);
      if (port === undefined || stringOf(port.name) === bridge) continue;
      for (const ifaceUuid of uuidsOf(port.interfaces)) {
        const iface = ifacesByUuid.get(ifaceUuid);
        if (iface !== undefined) records.push(toRecord(port, iface));
      }
    }
    return records.sort((a, b) => a.ofport - b.ofport || a.name.localeCompare(b.name));
  }

  /** Sets these keys in the port's external_ids; other keys stay. */
  async setExternalIds(portOrInterface: string, ids: Record<string, string>): Promise<void> {
    const args = mapArgs('external_ids', ids);
    if (args.length > 0) await this.vsctl(['set', 'Port', portOrInterface, ...args]);
  }

  /** Raw `ovs-vsctl show`. */
  show(): Promise<string> {
    return this.vsctl(['show']);
  }

  /** The Open vSwitch version recorded in the database (as ovs-ctl and OvsDaemons do). */
  async version(): Promise<string> {
    const [[root]] = await this.query([['--columns=ovs_version', 'list', 'Open_vSwitch']]);
    const recorded = stringOf(root?.ovs_version);
    if (recorded) return recorded;
    const tool = await run('ovs-vsctl', ['--version']);
    return /\d+\.\d+\.\d+\S*/.exec(tool)?.[0] ?? tool.split('\n')[0];
  }
}
