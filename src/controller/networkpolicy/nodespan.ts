// Spans: the nodes an object must be sent to. An AppliedToGroup's span is its members' nodes
// (see GroupMembers); the span of a policy with one AppliedToGroup is that group's span itself,
// without a copy.

/** A read-only set of node names. */
export interface NodeSpan extends Iterable<string> {
  readonly size: number;
  has(node: string): boolean;
}

export const EMPTY_SPAN: NodeSpan = new Set<string>();

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
