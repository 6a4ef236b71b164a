// Controller expectations (client-go's ControllerExpectations): after a controller creates or
// deletes pods, its cache lags behind the API for a moment; until the informer has shown every
// pod it created and every deletion it made, a new reconcile would count stale pods and do the
// work twice. So a controller records what it expects, the pod handlers tick it off, and the
// controller only manages pods once its expectations are met (or have expired, in case an
// event was lost).

const EXPIRY_MS = 60_000;

interface Pending {
  adds: number;
  readonly deletes: Set<string>;
  readonly since: number;
}

export class Expectations {
  private readonly records = new Map<string, Pending>();

  constructor(private readonly now: () => number = Date.now) {}

  /** `adds` pods to appear and the pods keyed in `deletes` to go, for controller `key`. */
  expect(key: string, adds: number, deletes: readonly string[] = []): void {
    this.records.set(key, { adds, deletes: new Set(deletes), since: this.now() });
  }

  observeAdd(key: string): void {
    const r = this.records.get(key);
    if (r) r.adds--;
  }

  observeDelete(key: string, podKey: string): void {
    this.records.get(key)?.deletes.delete(podKey);
  }

  /** Nothing outstanding (or the record is too old to trust). */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    return !r || (r.adds <= 0 && r.deletes.size === 0) || this.now() - r.since > EXPIRY_MS;
  }

  forget(key: string): void {
    this.records.delete(key);
  }
}
