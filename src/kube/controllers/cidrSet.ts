// The subnets of a cluster CIDR, as kube-controller-manager's node IPAM cuts them: a
// clusterCIDR (10.10.0.0/16) split into equal blocks (/24), handed out lowest first.
import { Ipv4Range } from './ipv4Range.js';

export class CidrSet {
  private readonly range: Ipv4Range;
  private readonly blockSize: number;
  private readonly count: number;
  private readonly used = new Set<number>();

  constructor(
    clusterCIDR: string,
    readonly maskSize: number,
  ) {
    this.range = new Ipv4Range(clusterCIDR);
    if (!Number.isInteger(maskSize) || maskSize < this.range.prefixLength || maskSize > 32) {
      throw new Error(
        `node CIDR mask size /${maskSize} does not fit in cluster CIDR ${clusterCIDR}`,
      );
    }
    this.blockSize = 2 ** (32 - maskSize);
    this.count = this.range.size / this.blockSize;
  }

  /** The block index of `cidr`, if it is one of this set's blocks. */
  private indexOf(cidr: string): number | undefined {
    const [ip, prefix] = cidr.split('/');
    if (Number(prefix) !== this.maskSize || ip === undefined) return undefined;
    const offset = this.range.offsetOf(ip);
    return offset !== undefined && offset % this.blockSize === 0
      ? offset / this.blockSize
      : undefined;
  }

  /** Marks a block taken (a node's existing podCIDR); false if it is not one of ours. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    this.used.add(i);
    return true;
  }

  /** Takes the lowest free block; undefined when the cluster CIDR is full. */
  allocate(): string | undefined {
    for (let i = 0; i < this.count; i++) {
      if (this.used.has(i)) continue;
      this.used.add(i);
      return `${this.range.at(i * this.blockSize)}/${this.maskSize}`;
    }
    return undefined;
  }
}
