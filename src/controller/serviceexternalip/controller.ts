// Keeps every LoadBalancer Service's status.loadBalancer.ingress[0].ip on an address of the
// pool. Level-triggered: any Service event schedules one pass over all Services (cheap: a
// sort and a walk), which writes only the statuses that differ; a failed write retries the
// pass with backoff. A written status is kept in the cache at once, so a pass that runs before
// the watch echoes it back sees the address as taken.
import type { Service } from '../../apis/core.js';
import { assignments } from './assign.js';

/** Writes the status subresource; resolves with the Service as stored. */
export type StatusWriter = (svc: Service, ip: string | undefined) => Promise<Service>;

const BACKOFF_MIN_MS = 200;
const BACKOFF_MAX_MS = 10_000;

const keyOf = (s: Service): string => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`;

export class ServiceExternalIPController {
  private readonly services = new Map<string, Service>();
  private pass: Promise<void> | undefined;
  private again = false;
  private retry: NodeJS.Timeout | undefined;
  private backoff = BACKOFF_MIN_MS;
  private stopped = false;

  constructor(
    private readonly cidr: string,
    private readonly write: StatusWriter,
    private readonly log: (msg: string) => void,
  ) {}

  upsert(svc: Service): void {
    this.services.set(keyOf(svc), svc);
    this.schedule();
  }

  delete(svc: Service): void {
    this.services.delete(keyOf(svc));
    this.schedule();
  }

  /** Resolves when no pass is running or due (a pass waiting on a retry is due). */
  async synced(): Promise<void> {
    while (this.pass !== undefined) await this.pass;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private schedule(): void {
    if (this.stopped || this.retry !== undefined) return;
    if (this.pass !== undefined) {
      this.again = true;
      return;
    }
    this.pass = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run())
      .finally(() => {
        this.pass = undefined;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
  }

  private async run(): Promise<void> {
    try {
      for (const { service, ip } of assignments([...this.services.values()], this.cidr)) {
        const stored = await this.write(service, ip);
        // Unless it was deleted meanwhile: the stored copy is the current one.
        if (this.services.has(keyOf(service))) this.services.set(keyOf(service), stored);
        this.log(
          `Service ${keyOf(service)}: LoadBalancer IP ${ip ?? 'none'}` +
            (ip === undefined ? ' (pool exhausted or not a LoadBalancer)' : ''),
        );
      }
      this.backoff = BACKOFF_MIN_MS;
    } catch (e) {
      this.log(`LoadBalancer IPs: ${e instanceof Error ? e.message : String(e)}; retrying`);
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.schedule();
      }, this.backoff);
      this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    }
  }
}
