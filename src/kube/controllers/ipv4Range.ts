// An IPv4 CIDR as a range of 32-bit numbers, so that allocators can count addresses and
// subnets with plain arithmetic (ipaddr.js parses and prints).
import ipaddr from 'ipaddr.js';

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
    this.base = Ipv4Range.toInt(ipaddr.IPv4.networkAddressFromCIDR(cidr).toString());
  }

  static toInt(ip: string): number {
    return ipaddr.IPv4.parse(ip)
      .toByteArray()
      .reduce((n, b) => n * 256 + b, 0);
  }

  static toIP(n: number): string {
    return ipaddr.fromByteArray([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]).toString();
  }

  /** The address's offset from the network address, or undefined when outside (or not IPv4). */
  offsetOf(ip: string): number | undefined {
    if (!ipaddr.IPv4.isValidFourPartDecimal(ip)) return undefined;
    const offset = Ipv4Range.toInt(ip) - this.base;
    return offset >= 0 && offset < this.size ? offset : undefined;
  }

  at(offset: number): string {
    return Ipv4Range.toIP(this.base + offset);
  }
}
