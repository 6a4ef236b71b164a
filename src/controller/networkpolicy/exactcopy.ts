// Arrays kept for as long as their object exists (a policy's rules and groups, a group's
// members) are built by push, which makes room for 16 or more elements; the kept array is a
// copy with just its length. (`new Array(n)` would size it, but turns slow past 100,000.)
export function exactCopy<T>(built: readonly T[]): T[] {
  return built.slice();
}
