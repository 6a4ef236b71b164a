// The node's PodCIDR as host-local IPAM sees it: the first address is the gateway (antrea-gw0),
// the network and broadcast addresses are never handed out, everything between is for pods.
// IPv4 only; addresses are handled as 32-bit numbers so ranges are plain arithmetic.
import ipaddr from 'ipaddr.js';
import { intToIPv4, ipv4ToInt } from '../../util/ipv4.js';

export class PodSubnet {
  /** Normalized `network/prefix`, e.g. `10.10.1.0/24`. */
  readonly cidr: string;
  readonly prefixLength: number;
  readonly gateway: string;
  /** First and last address a pod may get, as numbers. */
  readonly first: number;
  readonly last: number;

  private constructor(network: number, prefixLength: number) {
    const size = 2 ** (32 - prefixLength);
    this.prefixLength = prefixLength;
    this.cidr = `${intToIPv4(network)}/${prefixLength}`;
    this.gateway = intToIPv4(network + 1);
    this.first = network + 2;
    this.last = network + size - 2;
  }

  /** Throws for anything but an IPv4 CIDR with room for a gateway and one pod (/30 or larger). */
  static parse(cidr: string): PodSubnet {
    if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) {
      throw new Error(`PodCIDR ${JSON.stringify(cidr)}: not an IPv4 CIDR such as 10.10.1.0/24`);
    }
    const [, prefix] = ipaddr.IPv4.parseCIDR(cidr);
    if (prefix > 30) throw new Error(`PodCIDR ${cidr}: /${prefix} leaves no address for pods`);
    return new PodSubnet(ipv4ToInt(ipaddr.IPv4.networkAddressFromCIDR(cidr).toString()), prefix);
  }

  /** Whether a pod may hold this address. */
  isPodAddress(ip: string): boolean {
    if (!ipaddr.IPv4.isValidFourPartDecimal(ip)) return false;
    const n = ipv4ToInt(ip);
    return n >= this.first && n <= this.last;
  }

  /** `ip/prefix`, the form the pod's interface and the CNI result carry. */
  withPrefix(ip: string): string {
    return `${ip}/${this.prefixLength}`;
  }
}
