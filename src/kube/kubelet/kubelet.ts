// The kubelet of one node of the local cluster. It watches the pods bound to its node
// (`spec.nodeName=NODE`) and keeps one PodWorker per pod uid: new pods get a sandbox and their
// containers, deleted ones (gone, or with a deletionTimestamp) are torn down. Its state lives
// in STATE (records, logs, kubelet.sock): started again on the same STATE it re-adopts the
// pods that still run and tears down those deleted meanwhile. Node registration, addresses and
// the Ready heartbeat are the launcher's; the kubelet only reads the Node's InternalIP.
//
//   const kubelet = new Kubelet({ nodeName, kubeConfig, stateDir, cniConfDir, cniBinDir, … });
//   await kubelet.start();   // pods run
//   await kubelet.stop();    // the kubelet stops; its pods run on
import { CoreV1Api, ListWatch, Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod } from '../../apis/core.js';
import { CniRunner } from './cni.js';
import type { Backoff } from './container.js';
import { RuntimeError, type ExecTarget } from './exec.js';
import { newRecord, PodWorker, type NodeContext } from './podworker.js';
import { RecordStore, type PodRecord } from './record.js';
import { Sandboxes } from './sandbox.js';
import type { ClusterDNS } from './resolvconf.js';
import { RuntimeServer, type LogSource } from './server.js';
import { podStatus } from './status.js';
import { StatusWriter } from './statuswriter.js';

export interface KubeletOptions {
  readonly nodeName: string;
  readonly kubeConfig: KubeConfig;
  /** Records, logs and kubelet.sock. */
  readonly stateDir: string;
  /** The node's netns (hostNetwork pods run there); absent: the kubelet's own. */
  readonly nodeNetns?: string;
  /** Pod netns are `PREFIX-pod-<8 hex of the uid>`; default: the node name. */
  readonly netnsPrefix?: string;
  readonly cniConfDir: string;
  /** CNI_PATH: one or more directories separated by `:`. */
  readonly cniBinDir: string;
  /** --cluster-dns and --cluster-domain: what ClusterFirst pods resolve through. */
  readonly clusterDNS?: ClusterDNS;
  /** Extra environment of every container and exec on this node (e.g. OVS_RUNDIR). */
  readonly nodeEnv?: Readonly<Record<string, string>>;
  /** Restart back-off; kube's 10 s doubling to 5 min by default. */
  readonly backoff?: Backoff;
  readonly log?: (msg: string) => void;
}

const DEFAULT_BACKOFF: Backoff = { initialMs: 10_000, maxMs: 300_000 };
const RETRY_MS = 1000;
const BUILTIN_SERVER = fileURLToPath(new URL('../builtin-server/main.js', import.meta.url));
/** Small heaps: ≈300 built-in servers share the machine. */
const BUILTIN_NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=32'];

const podKey = (p: { metadata?: { namespace?: string; name?: string } }): string =>
  `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

function statusCode(e: unknown): number | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

export class Kubelet {
  readonly socketPath: string;
  private readonly api: CoreV1Api;
  private readonly store: RecordStore;
  private readonly statuses: StatusWriter;
  private readonly server: RuntimeServer;
  private readonly node: NodeContext;
  private readonly workers = new Map<string, PodWorker>();
  /** namespace/name → uid: a pod re-created under the same name replaces the old one. */
  private readonly uids = new Map<string, string>();
  private readonly log: (msg: string) => void;
  private informer: ListWatch<V1Pod> | undefined;
  private hostIP: string | undefined;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: KubeletOptions) {
    this.log = opts.log ?? ((msg) => console.log(`kubelet ${opts.nodeName}: ${msg}`));
    this.api = opts.kubeConfig.makeApiClient(CoreV1Api);
    this.store = new RecordStore(opts.stateDir);
    this.statuses = new StatusWriter(this.api, this.log);
    this.socketPath = join(opts.stateDir, 'kubelet.sock');
    this.server = new RuntimeServer(this.socketPath, {
      execTarget: (uid, container) => this.execTarget(uid, container),
      logSource: (uid, container, previous) => this.logSource(uid, container, previous),
    });
    this.node = {
      store: this.store,
      sandboxes: new Sandboxes(new CniRunner(opts.cniConfDir, opts.cniBinDir)),
      nodeNetns: opts.nodeNetns,
      netnsPrefix: opts.netnsPrefix ?? opts.nodeName,
      clusterDNS: opts.clusterDNS,
      nodeEnv: opts.nodeEnv ?? {},
      backoff: opts.backoff ?? DEFAULT_BACKOFF,
      builtinServer: [process.execPath, ...BUILTIN_NODE_FLAGS, BUILTIN_SERVER],
      hostIP: () => this.hostIP,
      report: (w) => this.report(w),
      log: this.log,
    };
  }

  /**
   * Serves the runtime socket, starts watching, re-adopts the recorded pods that still exist and
   * tears down the others; returns once the first list succeeded (retried until it does).
   */
  async start(): Promise<void> {
    await this.server.listen();
    const records = new Map(this.store.loadAll().map((r) => [r.uid, r]));
    await this.readHostIP();
    let synced = false;
    let markSynced!: () => void;
    const firstList = new Promise<void>((resolve) => (markSynced = resolve));
    const list = async () => {
      const pods = await this.api.listPodForAllNamespaces({ fieldSelector: this.fieldSelector });
      if (!synced) {
        // Only a list that worked says which recorded pods are gone.
        synced = true;
        this.removeUnlisted(records, new Set(pods.items.map((p) => p.metadata?.uid)));
        markSynced();
      }
      return pods;
    };
    const informer = new ListWatch<V1Pod>(
      '/api/v1/pods',
      new Watch(this.opts.kubeConfig),
      list,
      false,
      undefined,
      this.fieldSelector,
    );
    informer.on('add', (p) => this.sync(p as Pod, records));
    informer.on('update', (p) => this.sync(p as Pod, records));
    informer.on('delete', (p) => this.gone(p as Pod));
    informer.on('error', (err: unknown) => {
      if (this.stopped) return;
      this.log(`pod watch: ${err instanceof Error ? err.message : String(err)}; restarting`);
      this.later(() => void informer.start().catch(() => undefined));
    });
    this.informer = informer;
    await informer.start();
    await firstList;
  }

  /** Tears down recorded pods that the API no longer has (deleted while no kubelet ran). */
  private removeUnlisted(records: Map<string, PodRecord>, listed: Set<string | undefined>): void {
    for (const record of [...records.values()]) {
      if (listed.has(record.uid)) continue; // the informer's add event adopts it
      records.delete(record.uid);
      const worker = new PodWorker(undefined, record, this.node);
      this.workers.set(record.uid, worker);
      void this.remove(worker);
    }
  }

  /** Stops watching and serving; pods keep running (a kubelet started later adopts them). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.statuses.stop();
    await this.informer?.stop();
    await this.server.close();
    // A teardown under way is finished; every other pod is let go of, still running.
    await Promise.all(
      [...this.workers.values()].map((w) => (w.isTerminating ? w.terminate() : w.stop())),
    );
  }

  /**
   * Tears down every pod of this node (processes, CNI DEL, netns), also those only recorded in
   * STATE; works without start(), as `down` wants. hostNetwork pods go last: the CNI agent that
   * answers the other pods' DEL is one of them.
   */
  async removeAllPods(): Promise<void> {
    for (const record of this.store.loadAll()) {
      if (!this.workers.has(record.uid)) {
        this.workers.set(record.uid, new PodWorker(undefined, record, this.node));
      }
    }
    const workers = [...this.workers.values()];
    for (const hostNetwork of [false, true]) {
      await Promise.all(
        workers.filter((w) => w.record.hostNetwork === hostNetwork).map((w) => this.remove(w)),
      );
    }
  }

  private get fieldSelector(): string {
    return `spec.nodeName=${this.opts.nodeName}`;
  }

  private later(fn: () => void, ms = RETRY_MS): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** The node's InternalIP (hostIP of its pods); retried in the background until it is there. */
  private async readHostIP(): Promise<void> {
    try {
      const node = await this.api.readNode({ name: this.opts.nodeName });
      this.hostIP = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    } catch (e) {
      if (statusCode(e) !== 404) this.log(`node ${this.opts.nodeName}: ${(e as Error).message}`);
    }
    if (this.hostIP === undefined) this.later(() => void this.readHostIP());
    else for (const w of this.workers.values()) this.report(w);
  }

  private sync(pod: Pod, records: Map<string, PodRecord>): void {
    if (this.stopped) return;
    const uid = pod.metadata.uid!;
    const key = podKey(pod);
    const previous = this.uids.get(key);
    if (previous !== undefined && previous !== uid) this.removeUid(previous);
    this.uids.set(key, uid);
    let worker = this.workers.get(uid);
    if (!worker) {
      const record = records.get(uid);
      records.delete(uid);
      const phase = pod.status?.phase;
      if (pod.metadata.deletionTimestamp && !record) return void this.finalize(pod);
      // A finished pod without a record ran on a kubelet whose state is gone: nothing to run.
      if (!record && (phase === 'Succeeded' || phase === 'Failed')) return;
      worker = new PodWorker(pod, record ?? newRecord(pod, this.node), this.node);
      this.workers.set(uid, worker);
      if (!pod.metadata.deletionTimestamp) worker.start();
    }
    worker.update(pod);
    if (pod.metadata.deletionTimestamp) void this.remove(worker);
  }

  private gone(pod: Pod): void {
    const uid = pod.metadata.uid!;
    if (this.uids.get(podKey(pod)) === uid) this.uids.delete(podKey(pod));
    this.removeUid(uid);
  }

  private removeUid(uid: string): void {
    const worker = this.workers.get(uid);
    if (worker) void this.remove(worker);
  }

  private async remove(worker: PodWorker): Promise<void> {
    const first = !worker.isTerminating;
    this.statuses.forget(worker.uid);
    await worker.terminate();
    if (!first) return;
    this.workers.delete(worker.uid);
    const pod = worker.pod;
    if (pod?.metadata.deletionTimestamp) await this.finalize(pod);
  }

  /**
   * Ends a graceful deletion once the pod is gone from the node, as kubelet does: a delete with
   * gracePeriodSeconds=0 (a no-op while finalizers still hold the pod; the embedded API server
   * deletes a pod without finalizers at once, which the watch reports as gone).
   */
  private async finalize(pod: Pod): Promise<void> {
    try {
      await this.api.deleteNamespacedPod({
        namespace: pod.metadata.namespace ?? 'default',
        name: pod.metadata.name ?? '',
        body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid! } },
      });
    } catch (e) {
      const code = statusCode(e);
      if (code !== 404 && code !== 409)
        this.log(`finalizing ${podKey(pod)}: ${(e as Error).message}`);
    }
  }

  private report(worker: PodWorker): void {
    const pod = worker.pod;
    if (!pod || worker.isTerminating || this.stopped) return;
    const status = podStatus({
      pod,
      record: worker.record,
      previousConditions: worker.conditions,
      hostIP: this.hostIP,
      sandboxError: worker.sandboxError,
      ready: (init, name) => worker.ready(init, name),
      now: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    worker.conditions = status.conditions;
    this.statuses.push(worker.uid, worker.record.namespace, worker.record.name, status);
  }

  private worker(uid: string): PodWorker {
    const w = this.workers.get(uid);
    if (!w || !w.pod || w.isTerminating) {
      throw new RuntimeError(
        404,
        `pod with uid ${uid} is not running on node ${this.opts.nodeName}`,
      );
    }
    return w;
  }

  private execTarget(uid: string, container: string): ExecTarget {
    const target = this.worker(uid).execTarget(container);
    if (!target) throw new RuntimeError(400, `container not found ("${container}")`);
    return target;
  }

  private logSource(uid: string, container: string, previous: boolean): LogSource {
    const w = this.worker(uid);
    const record = w.containerRecord(container);
    const podName = w.record.name;
    if (!record)
      throw new RuntimeError(400, `container ${container} is not valid for pod ${podName}`);
    const path = this.store.file(uid, container, previous ? 'previous.log' : 'log');
    if (!existsSync(path)) {
      const why = previous
        ? `previous terminated container "${container}" in pod "${podName}" not found`
        : `container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`;
      throw new RuntimeError(400, why);
    }
    const instance = record.running?.id;
    return {
      path,
      live: () => !previous && instance !== undefined && record.running?.id === instance,
    };
  }
}
