// Conjunction ids (conj_id, 32 bits): allocated from 1 as in the seed's `conjunction(1,1/2)`,
// lowest free first, so ids stay small and a restart that replays the same rules in the same
// order gets the same ids.
export class ConjIDAllocator {
  private next = 1;
  private readonly free: number[] = [];

  allocate(): number {
    if (this.free.length > 0) {
      this.free.sort((a, b) => b - a);
      return this.free.pop()!;
    }
    if (this.next > 0xffffffff) throw new Error('conjunction ids exhausted');
    return this.next++;
  }

  /** Only after the flows using the id left OVS: a reused id must not meet its old flows. */
  release(id: number): void {
    this.free.push(id);
  }
}
