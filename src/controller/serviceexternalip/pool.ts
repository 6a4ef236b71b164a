// The LoadBalancer IP pool (Antrea's ExternalIPPool, reduced to one pool of the cluster's own):
// a CIDR whose host addresses are handed out lowest first. It lives next to the node underlay
// (172.18.0.0/24) but is routed only into OVS on every node (see src/agent/proxy/hostroutes.ts).
import { intToIPv4, ipv4ToInt } from '../../util/ipv4.js';

export const DEFAULT_POOL_CIDR = '172.18.1.0/24';

export class IPPool {
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Set<number>();

  constructor(readonly cidr: string) {
    const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
    const bits = Number(m?.[2]);
    if (!m || bits < 1 || bits > 30)
      throw new Error(`IP pool ${cidr}: want an IPv4 CIDR, /1 to /30`);
    const size = 2 ** (32 - bits);
    const network = ipv4ToInt(m[1]) - (ipv4ToInt(m[1]) % size);
    // Neither the network nor the broadcast address.
    this.first = network + 1;
    this.last = network + size - 2;
  }

  contains(ip: string): boolean {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return false;
    const n = ipv4ToInt(ip);
    return n >= this.first && n <= this.last;
  }

  /** Takes this address; false if it is outside the pool or taken. */
  reserve(ip: string): boolean {
    if (!this.contains(ip) || this.used.has(ipv4ToInt(ip))) return false;
    this.used.add(ipv4ToInt(ip));
    return true;
  }

  /** The lowest free address, taken; undefined when the pool is exhausted. */
  allocate(): string | undefined {
    for (let n = this.first; n <= this.last; n++) {
      if (!this.used.has(n)) {
        this.used.add(n);
        return intToIPv4(n);
      }
    }
    return undefined;
  }
}
