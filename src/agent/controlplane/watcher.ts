// The agent's side of the controlplane API: one watch stream of its node's span. After every
// (re)connection the controller sends the whole span, then SYNCED; objects the agent had that
// are not in it are deleted then, so a reconnecting agent converges without flushing its flows.
import { request, type IncomingMessage } from 'node:http';
import type { PolicyEvent } from '../networkpolicy/controller.js';
import type { WatchEvent } from '../../controller/apiserver/nodeview.js';
import type { AddressGroup, AppliedToGroup, InternalNetworkPolicy } from '../../apis/index.js';

type Line = WatchEvent | { readonly type: 'SYNCED' } | { readonly type: 'BOOKMARK' };

export interface WatcherOptions {
  /** e.g. http://127.0.0.1:10349 */
  readonly server: string;
  readonly node: string;
  /** Applies one batch (in order); the next batch waits for it. */
  readonly onEvents: (events: readonly PolicyEvent[]) => Promise<unknown>;
  readonly log?: (msg: string) => void;
  /** No line (not even a heartbeat) for this long means the stream is dead. */
  readonly idleTimeoutMs?: number;
}

function toPolicyEvent(e: WatchEvent): PolicyEvent {
  if (e.type === 'DELETED') {
    if (e.kind === 'NetworkPolicy') return { kind: e.kind, type: 'delete', uid: e.name };
    return { kind: e.kind, type: 'delete', name: e.name };
  }
  switch (e.kind) {
    case 'NetworkPolicy':
      return { kind: e.kind, type: 'upsert', object: e.object as InternalNetworkPolicy };
    case 'AddressGroup':
      return { kind: e.kind, type: 'upsert', object: e.object as AddressGroup };
    case 'AppliedToGroup':
      return { kind: e.kind, type: 'upsert', object: e.object as AppliedToGroup };
  }
}

export class ControlPlaneWatcher {
  /** What the agent holds now: kind/name. */
  private readonly known = new Set<string>();
  private readonly abort = new AbortController();
  private queue: Promise<unknown> = Promise.resolve();
  private syncedOnce!: () => void;
  readonly synced = new Promise<void>((resolve) => (this.syncedOnce = resolve));
  connected = false;

  constructor(private readonly opts: WatcherOptions) {}

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.abort.abort();
  }

  counts(): { networkPolicies: number; addressGroups: number; appliedToGroups: number } {
    const n = (kind: string) => [...this.known].filter((k) => k.startsWith(`${kind}/`)).length;
    return {
      networkPolicies: n('NetworkPolicy'),
      addressGroups: n('AddressGroup'),
      appliedToGroups: n('AppliedToGroup'),
    };
  }

  private async loop(): Promise<void> {
    let backoff = 200;
    while (!this.abort.signal.aborted) {
      try {
        await this.watchOnce();
        backoff = 200;
      } catch (e) {
        if (this.abort.signal.aborted) return;
        this.opts.log?.(
          `controlplane watch: ${e instanceof Error ? e.message : String(e)}; retrying`,
        );
      }
      this.connected = false;
      await new Promise((r) => setTimeout(r, backoff));
      // The controller is on this machine: retrying every second costs nothing and a restarted
      // controller is followed within a second, not after a long back-off.
      backoff = Math.min(backoff * 2, 1000);
    }
  }

  private watchOnce(): Promise<void> {
    const url = `${this.opts.server}/watch?node=${encodeURIComponent(this.opts.node)}`;
    return new Promise<void>((resolve, reject) => {
      const req = request(url, { signal: this.abort.signal }, (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`HTTP ${res.statusCode}`));
        }
        this.connected = true;
        let buf = '';
        let initial: WatchEvent[] | undefined = [];
        let idle: NodeJS.Timeout | undefined;
        const arm = () => {
          clearTimeout(idle);
          idle = setTimeout(
            () => req.destroy(new Error('controlplane stream idle')),
            this.opts.idleTimeoutMs ?? 30_000,
          );
        };
        arm();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          arm();
          buf += chunk;
          const lines = buf.split('\n');
          buf = lines.pop()!;
          const batch: WatchEvent[] = [];
          for (const text of lines) {
            if (!text) continue;
            const line = JSON.parse(text) as Line;
            if (line.type === 'BOOKMARK') continue;
            if (line.type === 'SYNCED') {
              this.enqueue(this.resyncEvents(initial ?? []));
              initial = undefined;
              this.enqueue([]).then(
                () => this.syncedOnce(),
                () => undefined,
              );
              continue;
            }
            if (initial) initial.push(line);
            else batch.push(line);
          }
          if (batch.length) this.enqueue(batch.map((e) => this.track(e)));
        });
        res.on('end', () => {
          clearTimeout(idle);
          resolve();
        });
        res.on('error', (e) => {
          clearTimeout(idle);
          reject(e);
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** The full span after a (re)connection: upserts of all of it, deletes of what is gone. */
  private resyncEvents(initial: readonly WatchEvent[]): PolicyEvent[] {
    const present = new Set(initial.map((e) => `${e.kind}/${e.name}`));
    const gone = [...this.known].filter((k) => !present.has(k));
    const deletes: WatchEvent[] = gone
      .map((k) => {
        const [kind, ...rest] = k.split('/');
        return { type: 'DELETED', kind, name: rest.join('/') } as WatchEvent;
      })
      // Policies before the groups they used.
      .sort((a, b) => Number(b.kind === 'NetworkPolicy') - Number(a.kind === 'NetworkPolicy'));
    return [...initial, ...deletes].map((e) => this.track(e));
  }

  private track(e: WatchEvent): PolicyEvent {
    const key = `${e.kind}/${e.name}`;
    if (e.type === 'DELETED') this.known.delete(key);
    else this.known.add(key);
    return toPolicyEvent(e);
  }

  private enqueue(events: readonly PolicyEvent[]): Promise<unknown> {
    const run = this.queue.then(() => (events.length ? this.opts.onEvents(events) : undefined));
    this.queue = run.catch((e: unknown) =>
      this.opts.log?.(`applying controlplane events: ${String(e)}`),
    );
    return run;
  }
}
