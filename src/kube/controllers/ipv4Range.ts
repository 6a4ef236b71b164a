// An IPv4 CIDR as a range of 32-bit numbers, so that allocators can count addresses and
// subnets with plain arithmetic (ipaddr.js parses and prints).
import ipaddr from 'ipaddr.js';
import { intToIPv4, ipv4ToInt } from '../../util/ipv4.js';

export class Ipv4Range {
  /** The network address, as a number. */
  readonly base: number;
  readonly prefixLength: number;
  /** How many addresses the range holds. */
  readonly size: number;

  constructor(readonly cidr: string) {
    if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) {
      throw new Error(`${JSON.stringify(cidr)} is not an IPv4 CIDR such as 10.96.0.0/12`);
    }
    const [, prefix] = ipaddr.IPv4.parseCIDR(cidr);
    this.prefixLength = prefix;
    this.size = 2 ** (32 - prefix);
    this.base = ipv4ToInt(ipaddr.IPv4.networkAddressFromCIDR(cidr).toString());
  }

  /** The address's offset from the network address, or undefined when outside (or not IPv4). */
  offsetOf(ip: string): number | undefined {
    if (!ipaddr.IPv4.isValidFourPartDecimal(ip)) return undefined;
    const offset = ipv4ToInt(ip) - this.base;
    return offset >= 0 && offset < this.size ? offset : undefined;
  }

  at(offset: number): string {
    return intToIPv4(this.base + offset);
  }
}
