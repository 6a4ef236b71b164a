// Sets of values by key where most keys hold a single value (a namespace's own name label, say):
// such a value is stored bare, and a Set (some 200 bytes) exists only for keys with more.

export class SparseIndex<V extends object> {
  // V is never a Set itself, so `instanceof Set` tells the two forms apart.
  private readonly map = new Map<string, V | Set<V>>();

  add(key: string, value: V): void {
    const cur = this.map.get(key);
    if (cur === undefined) this.map.set(key, value);
    else if (cur instanceof Set) cur.add(value);
    else if (cur !== value) this.map.set(key, new Set([cur, value]));
  }

  delete(key: string, value: V): void {
    const cur = this.map.get(key);
    if (cur === value) this.map.delete(key);
    else if (cur instanceof Set && cur.delete(value) && cur.size === 1) {
      this.map.set(key, cur.values().next().value!);
    }
  }

  count(key: string): number {
    const cur = this.map.get(key);
    return cur === undefined ? 0 : cur instanceof Set ? cur.size : 1;
  }

  values(key: string): Iterable<V> {
    const cur = this.map.get(key);
    return cur === undefined ? [] : cur instanceof Set ? cur : [cur];
  }
}
