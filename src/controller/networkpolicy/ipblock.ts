// CIDR membership for ipBlock peers (ipBlock.cidr minus its excepts), parsed once per string.
import ipaddr from 'ipaddr.js';
import type { IPBlockRef } from '../../apis/index.js';

type Parsed = [ipaddr.IPv4 | ipaddr.IPv6, number];
const cache = new Map<string, Parsed>();

function parseCidr(cidr: string): Parsed {
  let p = cache.get(cidr);
  if (!p) {
    // parseCIDR keeps host bits; match() compares under the mask, so `10.1.2.3/4` means 0.0.0.0/4.
    p = ipaddr.parseCIDR(cidr);
    cache.set(cidr, p);
  }
  return p;
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [net, bits] = parseCidr(cidr);
  const addr = ipaddr.parse(ip);
  return addr.kind() === net.kind() && addr.match(net, bits);
}

export function ipBlockContains(block: IPBlockRef, ip: string): boolean {
  return cidrContains(block.cidr, ip) && !(block.except ?? []).some((e) => cidrContains(e, ip));
}
