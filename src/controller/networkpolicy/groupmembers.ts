// A group's member pods and, as its span, the nodes they run on. A small group finds its nodes
// by scanning its few members; once its pods sit in a Map (see PodList) it counts them per node,
// so a pod leaving a node drops the node only when it was the group's last member there.
import type { PodState } from './clusterstate.js';
import type { NodeSpan } from './nodespan.js';
import { PodList } from './podlist.js';

export class GroupMembers extends PodList implements NodeSpan {
  /** Node → members on it; kept only while the pods are in a Map. */
  private counts: Map<string, number> | undefined;

  override set(p: PodState): PodState | undefined {
    const old = super.set(p);
    if (this.counts) {
      if (old) this.uncount(old);
      this.countIn(p);
    } else if (this.big) {
      this.counts = new Map();
      for (const q of this.big.values()) this.countIn(q);
    }
    return old;
  }

  override delete(key: string): PodState | undefined {
    const old = super.delete(key);
    if (old && this.counts) this.uncount(old);
    return old;
  }

  // ---- NodeSpan: the nodes with at least one member ----

  get size(): number {
    if (this.counts) return this.counts.size;
    let n = 0;
    for (let i = 0; i < this.small.length; i++) if (this.firstOnItsNode(i)) n++;
    return n;
  }

  has(node: string): boolean {
    if (this.counts) return this.counts.has(node);
    return this.small.some((p) => p.member.node === node);
  }

  *[Symbol.iterator](): Iterator<string> {
    if (this.counts) return yield* this.counts.keys();
    for (let i = 0; i < this.small.length; i++)
      if (this.firstOnItsNode(i)) yield this.small[i]!.member.node!;
  }

  /** Whether the i-th member runs on a node no earlier member runs on. */
  private firstOnItsNode(i: number): boolean {
    const node = this.small[i]!.member.node;
    if (node === undefined) return false;
    for (let j = 0; j < i; j++) if (this.small[j]!.member.node === node) return false;
    return true;
  }

  private countIn(p: PodState): void {
    if (p.member.node !== undefined)
      this.counts!.set(p.member.node, (this.counts!.get(p.member.node) ?? 0) + 1);
  }

  private uncount(p: PodState): void {
    if (p.member.node === undefined) return;
    const n = this.counts!.get(p.member.node)! - 1;
    if (n === 0) this.counts!.delete(p.member.node);
    else this.counts!.set(p.member.node, n);
  }
}
