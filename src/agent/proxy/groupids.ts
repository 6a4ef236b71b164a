// OpenFlow group ids for the Services' groups, one per group key, reused once released. Ids
// are only handed back after the group left OVS, so a new group never reuses a live id.
export class GroupIDs {
  private readonly ids = new Map<string, number>();
  private readonly free: number[] = [];
  private next = 1;

  get(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.free.pop() ?? this.next++;
      this.ids.set(key, id);
    }
    return id;
  }

  release(key: string): void {
    const id = this.ids.get(key);
    if (id === undefined) return;
    this.ids.delete(key);
    this.free.push(id);
  }
}
