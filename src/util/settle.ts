// Promise.all that waits for every promise before it rejects: when the caller then undoes what
// the promises did, none of them is still running (and re-creating what was just removed).
export async function settleAll<T extends readonly unknown[]>(promises: {
  readonly [K in keyof T]: Promise<T[K]>;
}): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  // Fulfilled, in order: the tuple the caller's promises promised.
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
