// Scratch arrays emptied and refilled per operation (one conversion, one peer, one operation's
// events). `length = 0` frees an array's backing store, so the next push allocates a new one of
// some 150 bytes (per policy at scale); popping down to empty keeps it.
export function clearScratch<T>(a: T[]): void {
  if (a.length === 0) return;
  a.length = 1;
  a.pop();
}
