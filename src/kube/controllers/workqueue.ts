// The work queue of every controller here (client-go's rate-limited queue, reduced): a key is
// queued at most once; a key being processed that is added again runs once more afterwards;
// a failed key comes back after an exponential backoff, a successful one forgets its failures.
// Handlers only add keys; the single worker reads current state, so a burst of events for one
// object costs one reconcile.

export interface BackoffOptions {
  readonly baseMs?: number;
  readonly maxMs?: number;
}

export type Reconcile = (key: string) => Promise<void>;

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private wake: (() => void) | undefined;
  private shuttingDown = false;
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = opts.baseMs ?? 50;
    this.maxMs = opts.maxMs ?? 10_000;
  }

  add(key: string): void {
    if (this.shuttingDown || this.queued.has(key)) return;
    this.queued.add(key);
    // A key in flight is re-queued when its current run ends (see done()).
    if (!this.processing.has(key)) {
      this.queue.push(key);
      this.wake?.();
    }
  }

  /** Adds the key after `ms` (a deadline the state itself will not announce, e.g. minReadySeconds). */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.add(key);
    }, ms);
    this.timers.add(t);
  }

  /** Re-adds a failed key after its backoff: base·2^(failures-1), capped. */
  retry(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(n - 1, 30));
    this.addAfter(key, delay);
    return delay;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.wake?.();
  }

  private async next(): Promise<string | undefined> {
    while (this.queue.length === 0) {
      if (this.shuttingDown) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    const key = this.queue.shift()!;
    this.queued.delete(key);
    this.processing.add(key);
    return key;
  }

  private done(key: string): void {
    this.processing.delete(key);
    if (this.queued.has(key) && !this.shuttingDown) this.queue.push(key);
  }

  /**
   * The worker loop: runs until shutdown(). A reconcile that throws is retried with backoff
   * (its error goes to `onError`); one that returns resets the key's backoff.
   */
  async run(
    reconcile: Reconcile,
    onError: (key: string, err: unknown, retryMs: number) => void,
  ): Promise<void> {
    for (;;) {
      const key = await this.next();
      if (key === undefined) return;
      try {
        await reconcile(key);
        this.forget(key);
      } catch (err) {
        if (!this.shuttingDown) onError(key, err, this.retry(key));
      } finally {
        this.done(key);
      }
    }
  }
}
