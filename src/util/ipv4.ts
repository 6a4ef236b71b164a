// IPv4 addresses as 32-bit numbers, for allocators that count through a range.
import ipaddr from 'ipaddr.js';

export function ipv4ToInt(ip: string): number {
  return ipaddr.IPv4.parse(ip)
    .toByteArray()
    .reduce((n, b) => n * 256 + b, 0);
}

export function intToIPv4(n: number): string {
  return ipaddr.fromByteArray([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]).toString();
}
