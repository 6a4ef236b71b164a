// One pod on this node, from its first sight to its teardown: the sandbox (netns + CNI, retried
// until it works), the init containers one after the other (each to success), then every
// container at once, each with its own ContainerRunner. `stop()` lets go of a pod while its
// processes run on (the kubelet stopping); `terminate()` ends it: processes (SIGTERM, SIGKILL
// after the grace period), CNI DEL, netns, record.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Container, Pod, PodCondition } from '../../apis/core.js';
import {
  ContainerRunner,
  type Backoff,
  type ContainerContext,
  type Launch,
  type RestartPolicy,
} from './container.js';
import { containerArgv, containerEnv, resolveCommand } from './env.js';
import type { ExecTarget } from './exec.js';
import { stopGroups } from './process.js';
import type { ContainerRecord, PodRecord, RecordStore } from './record.js';
import { podResolvConf, type ClusterDNS } from './resolvconf.js';
import type { Sandboxes } from './sandbox.js';
import { resultIPs } from './sandbox.js';

export interface NodeContext {
  readonly store: RecordStore;
  readonly sandboxes: Sandboxes;
  /** The node's netns, for hostNetwork pods; absent: the kubelet's own. */
  readonly nodeNetns: string | undefined;
  readonly netnsPrefix: string;
  /** --cluster-dns / --cluster-domain; absent: pods keep the node's resolver. */
  readonly clusterDNS: ClusterDNS | undefined;
  readonly nodeEnv: Readonly<Record<string, string>>;
  readonly backoff: Backoff;
  /** How the built-in server starts: `[node, …flags, main.js]`; its config JSON is appended. */
  readonly builtinServer: readonly string[];
  /** The node's InternalIP, once known. */
  hostIP(): string | undefined;
  /** The pod's status may have changed. */
  report(worker: PodWorker): void;
  log(msg: string): void;
}

const SANDBOX_RETRY_MS = [500, 1000, 2000, 5000, 10_000];
const DEL_ATTEMPTS = 5;
const DEFAULT_GRACE_S = 30;

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * The local cluster's own components (antrea-agent, antrea-controller) are hostNetwork pods
 * that must reach the API server on the host's 127.0.0.1: this annotation runs them in the
 * kubelet's (root) namespace instead of the node's.
 */
export const ROOT_NETNS_ANNOTATION = 'local.antrea.io/root-netns';
const rootNetns = (pod: Pod): boolean =>
  pod.metadata.annotations?.[ROOT_NETNS_ANNOTATION] === 'true';

/** A new pod's record: netns named after its uid, containers not started yet. */
export function newRecord(pod: Pod, node: NodeContext): PodRecord {
  const uid = pod.metadata.uid!;
  const hostNetwork = pod.spec?.hostNetwork === true;
  const fresh = (c: Container): ContainerRecord => ({ name: c.name, restartCount: 0, done: false });
  return {
    uid,
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name ?? '',
    netns: hostNetwork
      ? rootNetns(pod)
        ? undefined
        : node.nodeNetns
      : `${node.netnsPrefix}-pod-${uid.replace(/-/g, '').slice(0, 8)}`,
    hostNetwork,
    resolvConf: podResolvConf(pod, node.clusterDNS),
    sandboxId: randomBytes(32).toString('hex'),
    startTime: now(),
    initContainers: (pod.spec?.initContainers ?? []).map(fresh),
    containers: (pod.spec?.containers ?? []).map(fresh),
  };
}

/** The built-in server's config: `namespace/name`, nginx or not, and the declared ports. */
function builtinConfig(pod: Pod, c: Container): string {
  const repo = (c.image ?? '').split('/').pop() ?? '';
  const ports = (proto: string): number[] =>
    (c.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === proto).map((p) => p.containerPort);
  return JSON.stringify({
    name: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`,
    nginx: repo.startsWith('nginx'),
    tcp: ports('TCP'),
    udp: ports('UDP'),
  });
}

export class PodWorker {
  private readonly abort = new AbortController();
  private readonly initRunners: ContainerRunner[];
  private readonly runners: ContainerRunner[];
  private main: Promise<void> = Promise.resolve();
  private terminating: Promise<void> | undefined;
  /** The last sandbox failure, shown in the containers' waiting message. */
  sandboxError: string | undefined;
  /** The conditions of the status last reported (their transition times carry over). */
  conditions: readonly PodCondition[] | undefined;

  /** `pod` is undefined for a record whose pod is gone: such a worker only terminates. */
  constructor(
    private current: Pod | undefined,
    readonly record: PodRecord,
    private readonly node: NodeContext,
  ) {
    const spec = current?.spec;
    this.initRunners = (spec?.initContainers ?? []).map((c) => this.runner(c, true));
    this.runners = (spec?.containers ?? []).map((c) => this.runner(c, false));
  }

  get uid(): string {
    return this.record.uid;
  }

  get pod(): Pod | undefined {
    return this.current;
  }

  get isTerminating(): boolean {
    return this.terminating !== undefined;
  }

  start(): void {
    if (this.current) this.main = this.run(this.abort.signal);
  }

  update(pod: Pod): void {
    this.current = pod;
    this.node.report(this);
  }

  ready(init: boolean, name: string): boolean {
    return (
      (init ? this.initRunners : this.runners).find((r) => r.spec.name === name)?.ready ?? false
    );
  }

  /** Where exec runs for a container: undefined until the sandbox is up. */
  execTarget(container: string): ExecTarget | undefined {
    const spec = this.containerSpec(container);
    if (!spec || !this.current || this.record.ips === undefined) return undefined;
    return { netns: this.record.netns, env: this.env(spec) };
  }

  containerSpec(name: string): Container | undefined {
    const spec = this.current?.spec;
    return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].find(
      (c) => c.name === name,
    );
  }

  containerRecord(name: string): ContainerRecord | undefined {
    return [...this.record.containers, ...this.record.initContainers].find((c) => c.name === name);
  }

  /** Lets go of the pod; its processes keep running for the next kubelet to adopt. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.main;
  }

  /** Ends the pod and removes every trace of it from the node; safe to call again. */
  terminate(): Promise<void> {
    this.terminating ??= this.teardown();
    return this.terminating;
  }

  private async teardown(): Promise<void> {
    await this.stop();
    const r = this.record;
    const instances = [...r.initContainers, ...r.containers].flatMap((c) =>
      c.running ? [c.running] : [],
    );
    const meta = this.current?.metadata as { deletionGracePeriodSeconds?: number } | undefined;
    const spec = this.current?.spec as { terminationGracePeriodSeconds?: number } | undefined;
    const grace =
      meta?.deletionGracePeriodSeconds || (spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_S);
    await stopGroups(instances, grace * 1000);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.node.sandboxes.destroy(r);
        break;
      } catch (e) {
        this.node.log(`pod ${r.namespace}/${r.name}: teardown: ${(e as Error).message}`);
        if (attempt === DEL_ATTEMPTS) break;
        await sleep(SANDBOX_RETRY_MS[attempt - 1]!);
      }
    }
    this.node.store.remove(r.uid);
  }

  private runner(c: Container, init: boolean): ContainerRunner {
    const list = init ? this.record.initContainers : this.record.containers;
    let rec = list.find((r) => r.name === c.name);
    if (!rec) list.push((rec = { name: c.name, restartCount: 0, done: false }));
    const ctx: ContainerContext = {
      uid: this.record.uid,
      netns: this.record.netns,
      restartPolicy: (this.current?.spec?.restartPolicy ?? 'Always') as RestartPolicy,
      init,
      backoff: this.node.backoff,
      store: this.node.store,
      launch: (spec) => this.launch(spec),
      changed: () => this.changed(),
    };
    return new ContainerRunner(c, rec, ctx);
  }

  private changed(): void {
    this.node.store.save(this.record);
    this.node.report(this);
  }

  private env(c: Container): Record<string, string> {
    const addr = { podIPs: this.record.ips ?? [], hostIP: this.node.hostIP() ?? '' };
    return containerEnv(this.current!, c, addr, this.node.nodeEnv);
  }

  private launch(c: Container): Launch {
    const env = this.env(c);
    const argv = containerArgv(c, env);
    if (argv === undefined) {
      return { argv: [...this.node.builtinServer, builtinConfig(this.current!, c)], env };
    }
    const path = resolveCommand(argv[0]!, env['PATH'] ?? '');
    if (path === undefined) {
      return { error: `exec: "${argv[0]}": executable file not found in $PATH` };
    }
    return { argv: [path, ...argv.slice(1)], env };
  }

  private async run(signal: AbortSignal): Promise<void> {
    await this.ensureSandbox(signal);
    for (const r of this.initRunners) {
      if (signal.aborted) return;
      await r.run(signal);
      if (r.record.last?.exitCode !== 0) return; // still running (aborted) or failed for good
    }
    if (signal.aborted) return;
    await Promise.all(this.runners.map((r) => r.run(signal)));
  }

  /** Sets up the netns and its network (or the node's address), retrying until it works. */
  private async ensureSandbox(signal: AbortSignal): Promise<void> {
    const r = this.record;
    for (let attempt = 0; r.ips === undefined && !signal.aborted; attempt++) {
      try {
        this.node.store.save(r); // before the netns exists, so that teardown always finds it
        if (r.hostNetwork) {
          const ip = this.node.hostIP();
          if (ip === undefined) throw new Error(`node has no InternalIP yet`);
          r.ips = [ip];
        } else {
          await this.node.sandboxes.create(r);
          r.ips = resultIPs(r.cniResult!);
        }
        this.sandboxError = undefined;
        this.changed();
      } catch (e) {
        this.sandboxError = `failed to set up the pod's network: ${(e as Error).message}`;
        this.node.log(`pod ${r.namespace}/${r.name}: ${this.sandboxError}`);
        this.node.report(this);
        const delay = SANDBOX_RETRY_MS[Math.min(attempt, SANDBOX_RETRY_MS.length - 1)]!;
        await sleep(delay, undefined, { signal }).catch(() => undefined);
      }
    }
  }
}
