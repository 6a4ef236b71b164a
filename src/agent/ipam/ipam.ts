// Host-local style IPAM over the node's PodCIDR: one address per (container, interface), handed
// out round-robin after the last one reserved (as host-local does, so a released address is not
// reused at once by the next pod), persisted so that a restarted agent never hands out an
// address in use.
//
// Persistence is one small JSON file, rewritten whole and renamed into place on every change:
// a rename is atomic, so a crash (or SIGKILL) leaves the old or the new state, never a torn
// file; the file is at most a few KB (one entry per pod of one node), and a human can read it.
// The writes are synchronous on purpose: allocation and its persistence then happen in one turn
// of the event loop, so concurrent ADDs cannot interleave between them. SQLite would add a
// native module to the agent for no property this does not have.
import { intToIPv4, ipv4ToInt } from '../../util/ipv4.js';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { PodSubnet } from './subnet.js';

export interface Allocation {
  readonly ip: string;
  readonly containerId: string;
  readonly ifName: string;
}

interface StateFile {
  readonly cidr: string;
  readonly lastReserved?: string;
  readonly allocations: readonly Allocation[];
}

/** Every pod address of the range is taken. */
export class IpamExhaustedError extends Error {
  constructor(readonly cidr: string) {
    super(`no IP addresses available in range set ${cidr}`);
    this.name = 'IpamExhaustedError';
  }
}

function readState(file: string): StateFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return JSON.parse(text) as StateFile;
}

export class Ipam {
  /** Address (as number) → its holder. */
  private readonly byAddress = new Map<number, Allocation>();
  private lastReserved: number;

  private constructor(
    private readonly file: string,
    readonly subnet: PodSubnet,
  ) {
    this.lastReserved = subnet.last; // the first allocation starts at subnet.first
  }

  /**
   * Loads the state file (if any). Allocations outside the subnet — the node's PodCIDR changed —
   * are dropped: those pods cannot keep working anyway.
   */
  static open(file: string, subnet: PodSubnet): Ipam {
    const ipam = new Ipam(file, subnet);
    const state = readState(file);
    for (const a of state?.allocations ?? []) {
      if (subnet.isPodAddress(a.ip)) ipam.byAddress.set(ipv4ToInt(a.ip), a);
    }
    if (state?.lastReserved !== undefined && subnet.isPodAddress(state.lastReserved)) {
      ipam.lastReserved = ipv4ToInt(state.lastReserved);
    }
    ipam.persist();
    return ipam;
  }

  /** The address of this attachment; a repeated call returns the same one. */
  allocate(containerId: string, ifName: string): string {
    const held = this.lookup(containerId, ifName);
    if (held !== undefined) return held;
    const { first, last } = this.subnet;
    const size = last - first + 1;
    for (let i = 1; i <= size; i++) {
      const n = first + ((this.lastReserved - first + i) % size);
      if (this.byAddress.has(n)) continue;
      const ip = intToIPv4(n);
      this.byAddress.set(n, { ip, containerId, ifName });
      this.lastReserved = n;
      this.persist();
      return ip;
    }
    throw new IpamExhaustedError(this.subnet.cidr);
  }

  /** Releases what the container holds (on one interface, or all); returns the addresses. */
  release(containerId: string, ifName?: string): string[] {
    const released: string[] = [];
    for (const [n, a] of this.byAddress) {
      if (a.containerId === containerId && (ifName === undefined || a.ifName === ifName)) {
        this.byAddress.delete(n);
        released.push(a.ip);
      }
    }
    if (released.length > 0) this.persist();
    return released;
  }

  lookup(containerId: string, ifName: string): string | undefined {
    for (const a of this.byAddress.values()) {
      if (a.containerId === containerId && a.ifName === ifName) return a.ip;
    }
    return undefined;
  }

  list(): Allocation[] {
    return [...this.byAddress.values()].sort((a, b) => ipv4ToInt(a.ip) - ipv4ToInt(b.ip));
  }

  /**
   * At agent start, makes the allocations match the attachments that exist (from OVSDB): those
   * are (re)recorded, every other allocation — an ADD that died half-way, a DEL that did not
   * finish — is released. Returns what changed.
   */
  reconcile(live: readonly Allocation[]): { restored: Allocation[]; released: Allocation[] } {
    const wanted = new Map(
      live.filter((a) => this.subnet.isPodAddress(a.ip)).map((a) => [ipv4ToInt(a.ip), a]),
    );
    const released = [...this.byAddress].filter(([n]) => !wanted.has(n)).map(([, a]) => a);
    const restored = [...wanted].filter(([n, a]) => {
      const held = this.byAddress.get(n);
      return held?.containerId !== a.containerId || held.ifName !== a.ifName;
    });
    for (const a of released) this.byAddress.delete(ipv4ToInt(a.ip));
    for (const [n, a] of restored) this.byAddress.set(n, a);
    if (released.length + restored.length > 0) this.persist();
    return { restored: restored.map(([, a]) => a), released };
  }

  private persist(): void {
    const state: StateFile = {
      cidr: this.subnet.cidr,
      lastReserved: intToIPv4(this.lastReserved),
      allocations: this.list(),
    };
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 1) + '\n');
    renameSync(tmp, this.file);
  }
}
