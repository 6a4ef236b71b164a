// A typed OpenFlow group as ovs-ofctl reads it: `group_id=5,type=select,bucket=bucket_id:0,
// weight:100,actions=…`. Services are select groups, one bucket per endpoint.

export type GroupType = 'select' | 'all' | 'indirect' | 'ff';

export interface Bucket {
  readonly id: number;
  readonly weight: number;
  /** Top-level actions, as in Flow. */
  readonly actions: readonly string[];
}

export interface Group {
  readonly id: number;
  readonly type: GroupType;
  /** A select group without buckets drops what it gets. */
  readonly buckets: readonly Bucket[];
}

/** `put` adds the group or replaces its buckets; deleting a missing group is no error. */
export type GroupChange = { op: 'put'; group: Group } | { op: 'delete'; id: number };

/** `ovs-ofctl add-group` syntax. */
export function formatGroup(g: Group): string {
  let s = `group_id=${g.id},type=${g.type}`;
  for (const b of g.buckets) {
    s += `,bucket=bucket_id:${b.id},weight:${b.weight},actions=${b.actions.join(',')}`;
  }
  return s;
}

export function sameGroup(a: Group, b: Group): boolean {
  return (
    a.type === b.type &&
    a.buckets.length === b.buckets.length &&
    a.buckets.every((x, i) => {
      const y = b.buckets[i];
      return (
        x.id === y.id &&
        x.weight === y.weight &&
        x.actions.length === y.actions.length &&
        x.actions.every((act, j) => act === y.actions[j])
      );
    })
  );
}
