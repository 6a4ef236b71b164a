// CIDR parsing and the ipBlock rules shared by K8s NetworkPolicy, Antrea-native policies and
// groups (kube's ValidateIPBlock). Parsing accepts what Go's net.ParseCIDR accepts: four-part
// decimal IPv4 or IPv6 without a zone, with a prefix length in range.
import ipaddr from 'ipaddr.js';
import type { IPBlock } from '../networking.js';
import { invalid, required, type FieldError } from './errors.js';

export type ParsedCidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

export function parseCidr(cidr: string): ParsedCidr | undefined {
  if (ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) return ipaddr.IPv4.parseCIDR(cidr);
  if (cidr.includes(':') && !cidr.includes('%') && ipaddr.IPv6.isValidCIDR(cidr)) {
    return ipaddr.IPv6.parseCIDR(cidr);
  }
  return undefined;
}

const CIDR_EXAMPLE = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

/** True when `inner` lies inside `outer` and is strictly smaller. */
function isStrictSubset(inner: ParsedCidr, outer: ParsedCidr): boolean {
  const [ip, len] = inner;
  const [net, netLen] = outer;
  return ip.kind() === net.kind() && len > netLen && ip.match(net, netLen);
}

export function validateIPBlock(ipb: IPBlock, path: string): FieldError[] {
  if (typeof ipb.cidr !== 'string' || ipb.cidr === '') return [required(`${path}.cidr`)];
  const cidr = parseCidr(ipb.cidr);
  if (!cidr) return [invalid(`${path}.cidr`, ipb.cidr, CIDR_EXAMPLE)];
  const errs: FieldError[] = [];
  (ipb.except ?? []).forEach((ex, i) => {
    const p = `${path}.except[${i}]`;
    const parsed = parseCidr(ex);
    if (!parsed) errs.push(invalid(p, ex, CIDR_EXAMPLE));
    else if (!isStrictSubset(parsed, cidr))
      errs.push(invalid(p, ex, 'must be a strict subset of `cidr`'));
  });
  return errs;
}
