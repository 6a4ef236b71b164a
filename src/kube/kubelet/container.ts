// One container of a pod: starts its instances, re-adopts one left running by an earlier
// kubelet, notices exits, restarts per restartPolicy with kube's back-off (the first restart at
// once, then INITIAL, 2×INITIAL, … up to MAX; reset after an instance ran MAX long) and tracks
// readiness. Its ContainerRecord is the state that status and the next kubelet read; every
// change goes through `changed()`, which persists it. Stopping processes is the pod's job.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, renameSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Container } from '../../apis/core.js';
import { adoptContainer, killRemains, spawnContainer, type RunningProcess } from './process.js';
import { tcpListening } from './probe.js';
import type { ContainerRecord, Instance, LogKind, RecordStore, Termination } from './record.js';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** What an instance runs; `error` when it cannot start (e.g. the command is not on the host). */
export type Launch =
  | { readonly argv: readonly string[]; readonly env: Readonly<Record<string, string>> }
  | { readonly error: string };

export interface ContainerContext {
  readonly uid: string;
  readonly netns: string | undefined;
  readonly restartPolicy: RestartPolicy;
  readonly init: boolean;
  readonly backoff: Backoff;
  readonly store: RecordStore;
  launch(container: Container): Launch;
  changed(): void;
}

const READY_POLL_MS = 250;
/** containerd's code for an instance that could not be started. */
const START_ERROR_CODE = 128;

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class ContainerRunner {
  /** Running and, when it declares a TCP port, listening on the first one. */
  ready = false;
  private failures = 0;

  constructor(
    readonly spec: Container,
    readonly record: ContainerRecord,
    private readonly ctx: ContainerContext,
  ) {}

  /** Runs until no further instance is due, or until `signal` (the pod stopping, or the kubelet). */
  async run(signal: AbortSignal): Promise<void> {
    const r = this.record;
    let proc: RunningProcess | undefined;
    if (r.running) {
      proc = adoptContainer(r.running.pid, r.running.pidStart, this.file('exit'), signal);
    }
    while (!signal.aborted && !r.done) {
      if (proc) {
        await this.watch(r.running!, proc, signal);
        proc = undefined;
        continue;
      }
      if (r.last) {
        if (!this.restartAfter(r.last.exitCode)) {
          r.done = true;
          this.ctx.changed();
          break;
        }
        const delay = this.nextDelay(r.last);
        if (delay > 0) {
          r.waiting = {
            reason: 'CrashLoopBackOff',
            message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${this.spec.name}`,
          };
          this.ctx.changed();
          await sleep(delay, undefined, { signal }).catch(() => undefined);
          if (signal.aborted) break;
        }
      }
      proc = await this.start();
    }
  }

  private file(kind: LogKind): string {
    return this.ctx.store.file(this.ctx.uid, this.spec.name, kind);
  }

  private restartAfter(exitCode: number): boolean {
    const policy = this.ctx.restartPolicy;
    if (this.ctx.init) return exitCode !== 0 && policy !== 'Never';
    return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  }

  private nextDelay(last: Termination): number {
    const { initialMs, maxMs } = this.ctx.backoff;
    const ran = Date.parse(last.finishedAt) - Date.parse(last.startedAt ?? last.finishedAt);
    if (ran >= maxMs) this.failures = 0;
    this.failures++;
    return this.failures === 1 ? 0 : Math.min(maxMs, initialMs * 2 ** (this.failures - 2));
  }

  /** Starts a new instance; undefined (and a StartError termination) when it could not start. */
  private async start(): Promise<RunningProcess | undefined> {
    const r = this.record;
    const id = randomBytes(32).toString('hex');
    const startedAt = now();
    if (r.last) r.restartCount++;
    if (existsSync(this.file('log')) && r.last)
      renameSync(this.file('log'), this.file('previous.log'));
    const launch = this.ctx.launch(this.spec);
    try {
      if ('error' in launch) throw new Error(launch.error);
      const proc = await spawnContainer({
        netns: this.ctx.netns,
        argv: launch.argv,
        env: launch.env,
        logPath: this.file('log'),
        exitPath: this.file('exit'),
      });
      r.running = { id, pid: proc.pid, pidStart: proc.pidStart, startedAt };
      r.waiting = undefined;
      this.ctx.changed();
      return proc;
    } catch (e) {
      this.terminated({
        exitCode: START_ERROR_CODE,
        reason: 'StartError',
        message: e instanceof Error ? e.message : String(e),
        startedAt,
        finishedAt: now(),
        containerID: `local://${id}`,
      });
      return undefined;
    }
  }

  /** Until the instance exits (recorded) or `signal` aborts (left running). */
  private async watch(
    instance: Instance,
    proc: RunningProcess,
    signal: AbortSignal,
  ): Promise<void> {
    void this.probe(instance, signal);
    // The abort listener goes with the instance: a long-lived pod restarts many instances.
    const done = new AbortController();
    const aborted = once(signal, 'abort', { signal: done.signal }).then(
      () => undefined,
      () => undefined,
    );
    const exit = await Promise.race([proc.exited, aborted]);
    done.abort();
    if (exit === undefined) return;
    killRemains(instance.pid);
    this.terminated({
      exitCode: exit.code,
      reason: exit.unknown ? 'ContainerStatusUnknown' : exit.code === 0 ? 'Completed' : 'Error',
      ...(exit.unknown ? { message: 'The container exited while the kubelet was away' } : {}),
      startedAt: instance.startedAt,
      finishedAt: now(),
      containerID: `local://${instance.id}`,
    });
  }

  private terminated(t: Termination): void {
    const r = this.record;
    r.prior = r.last;
    r.last = t;
    r.running = undefined;
    r.waiting = undefined;
    this.ready = false;
    this.ctx.changed();
  }

  /** Marks the instance ready once its first TCP port listens (at once if it declares none). */
  private async probe(instance: Instance, signal: AbortSignal): Promise<void> {
    const port = this.spec.ports?.find((p) => (p.protocol ?? 'TCP') === 'TCP')?.containerPort;
    const current = (): boolean => !signal.aborted && this.record.running?.id === instance.id;
    while (current() && port !== undefined && !(await tcpListening(instance.pid, port))) {
      await sleep(READY_POLL_MS);
    }
    if (!current()) return;
    this.ready = true;
    this.ctx.changed();
  }
}
