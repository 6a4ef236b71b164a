// Spans: the nodes an object must be sent to. An AppliedToGroup counts its members per node, so
// a pod leaving a node drops the node only when it was the group's last member there; the span
// of a policy with one AppliedToGroup is that group's span itself, without a copy.

/** A read-only set of node names. */
export interface NodeSpan extends Iterable<string> {
  readonly size: number;
  has(node: string): boolean;
}

export const EMPTY_SPAN: NodeSpan = new Set<string>();

/** Node → number of a group's members on it; as a span, the nodes with at least one. */
export class NodeCounts implements NodeSpan {
  private readonly counts = new Map<string, number>();

  get size(): number {
    return this.counts.size;
  }

  has(node: string): boolean {
    return this.counts.has(node);
  }

  [Symbol.iterator](): Iterator<string> {
    return this.counts.keys();
  }

  add(node: string): void {
    this.counts.set(node, (this.counts.get(node) ?? 0) + 1);
  }

  remove(node: string): void {
    const n = (this.counts.get(node) ?? 1) - 1;
    if (n === 0) this.counts.delete(node);
    else this.counts.set(node, n);
  }
}

/** A union of spans: the one span itself while only one was added, else a new set. */
export class SpanUnion {
  private first: NodeSpan | undefined;
  private union: Set<string> | undefined;

  add(span: NodeSpan): void {
    if (!this.first) this.first = span;
    else if (span !== this.first || this.union) {
      this.union ??= new Set(this.first);
      for (const node of span) this.union.add(node);
    }
  }

  get result(): NodeSpan {
    return this.union ?? this.first ?? EMPTY_SPAN;
  }
}
