// ipBlock → the CIDRs to match: `cidr` minus every `except`, as Antrea's agent computes it
// (OVS cannot express "not in"), each result the largest aligned block. IPv4 only: the
// pipeline's flows are IPv4 (`ip`, `nw_src`).

interface Block {
  readonly base: number;
  readonly prefix: number;
}

function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Group members' addresses are valid IPs; the IPv6 ones are those with a colon. */
export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

function size(prefix: number): number {
  return 2 ** (32 - prefix);
}

function parseCIDR(cidr: string): Block {
  const [ip, len = '32'] = cidr.split('/');
  const addr = parseIPv4(ip);
  const prefix = Number(len);
  if (addr === undefined || !/^\d+$/.test(len) || prefix > 32) {
    throw new Error(`ipBlock: invalid IPv4 CIDR ${JSON.stringify(cidr)}`);
  }
  return { base: addr - (addr % size(prefix)), prefix };
}

/** `10.0.0.5` for a /32, `10.0.0.0/24` otherwise: one spelling per OVS match. */
function formatBlock(b: Block): string {
  return b.prefix === 32 ? formatIPv4(b.base) : `${formatIPv4(b.base)}/${b.prefix}`;
}

function contains(outer: Block, inner: Block): boolean {
  return (
    outer.prefix <= inner.prefix && inner.base - (inner.base % size(outer.prefix)) === outer.base
  );
}

/** `block` minus `hole`: split `block` in halves until the hole is an exact half. */
function subtract(block: Block, hole: Block): Block[] {
  if (contains(hole, block)) return [];
  if (!contains(block, hole)) return [block];
  const half = size(block.prefix + 1);
  const halves = [
    { base: block.base, prefix: block.prefix + 1 },
    { base: block.base + half, prefix: block.prefix + 1 },
  ];
  return halves.flatMap((h) => subtract(h, hole));
}

/** The CIDRs of `cidr` that no `except` covers; IPv6 blocks are not supported (empty). */
export function ipBlockCIDRs(cidr: string, except: readonly string[] = []): string[] {
  if (isIPv6(cidr)) return [];
  let blocks = [parseCIDR(cidr)];
  for (const e of except) {
    if (isIPv6(e)) continue;
    const hole = parseCIDR(e);
    blocks = blocks.flatMap((b) => subtract(b, hole));
  }
  return blocks.map(formatBlock);
}
