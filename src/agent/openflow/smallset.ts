// A set that stays an array while small. The flow cache keeps one per owner: 20,000 owners of a
// handful of flows each would otherwise hold a Set, whose hash table is two to three times the
// size of an array of the same elements; an owner of thousands of flows still removes one in O(1).

/** Above this many elements the array becomes a Set. */
const ARRAY_LIMIT = 16;

export class SmallSet<T> {
  private items: T[] | Set<T> = [];

  get size(): number {
    return Array.isArray(this.items) ? this.items.length : this.items.size;
  }

  add(x: T): void {
    if (Array.isArray(this.items) ? !this.items.includes(x) : !this.items.has(x)) this.addNew(x);
  }

  /** Adds `x`; the caller knows it is not present (this saves a scan of the array). */
  addNew(x: T): void {
    if (!Array.isArray(this.items)) this.items.add(x);
    else if (this.items.length < ARRAY_LIMIT) this.items.push(x);
    else this.items = new Set([...this.items, x]);
  }

  delete(x: T): void {
    if (!Array.isArray(this.items)) {
      this.items.delete(x);
      return;
    }
    const i = this.items.indexOf(x);
    if (i < 0) return;
    // Order does not matter: move the last element into the hole.
    const last = this.items.pop()!;
    if (i < this.items.length) this.items[i] = last;
  }

  /** A copy, safe to iterate while the set changes. */
  values(): T[] {
    return [...this.items];
  }

  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]();
  }
}
