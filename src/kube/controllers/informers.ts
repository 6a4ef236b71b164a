// Shared informers: one list+watch per kind for all the kube controllers (the scheduler, the
// ReplicaSet, StatefulSet and Endpoints controllers all read the one Pod cache), restarted
// after errors, with objects kept as plain JSON as the API sends them.
import {
  AppsV1Api,
  CoreV1Api,
  makeInformer,
  type Informer as ClientInformer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Deployment, ReplicaSet, StatefulSet } from '../../apis/apps.js';
import type { Endpoints, Node, Pod, Service } from '../../apis/core.js';
import type { KubeObject } from '../../apis/meta.js';
import { describeError, toPlain } from './api.js';
import { controllerKey, keyOf } from './objects.js';

export interface Kinds {
  pods: Pod;
  nodes: Node;
  services: Service;
  endpoints: Endpoints;
  deployments: Deployment;
  replicasets: ReplicaSet;
  statefulsets: StatefulSet;
}
export type KindName = keyof Kinds;

/** The read side a controller sees: the cache, and change notifications. */
export interface Store<T extends KubeObject> {
  get(namespace: string, name: string): T | undefined;
  list(namespace?: string): readonly T[];
  /** `update` gets only the new object (client-node's informer keeps no old copy). */
  on(event: 'add' | 'update' | 'delete', handler: (o: T) => void): void;
}

/** Queues an object's own key, and its controller's (of `ownerKind`) on owned objects' changes. */
export function queueOnChanges<O extends KubeObject, C extends KubeObject>(
  queue: { add(key: string): void },
  owners: Store<O>,
  owned: Store<C>,
  ownerKind: string,
): void {
  const own = (o: O): void => queue.add(keyOf(o));
  owners.on('add', own);
  owners.on('update', own);
  const child = (o: C): void => {
    const key = controllerKey(o, ownerKind);
    if (key) queue.add(key);
  };
  for (const event of ['add', 'update', 'delete'] as const) owned.on(event, child);
}

type RawList = KubernetesListObject<KubernetesObject>;
type ListFn = () => Promise<RawList>;

/** A list call whose typed result is turned back into the API's JSON (see toPlain). */
const plainList =
  (call: () => Promise<unknown>): ListFn =>
  async () =>
    toPlain<RawList>(await call());

function sources(kc: KubeConfig): Record<KindName, { path: string; list: ListFn }> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  return {
    pods: { path: '/api/v1/pods', list: plainList(() => core.listPodForAllNamespaces()) },
    nodes: { path: '/api/v1/nodes', list: plainList(() => core.listNode()) },
    services: {
      path: '/api/v1/services',
      list: plainList(() => core.listServiceForAllNamespaces()),
    },
    endpoints: {
      path: '/api/v1/endpoints',
      list: plainList(() => core.listEndpointsForAllNamespaces()),
    },
    deployments: {
      path: '/apis/apps/v1/deployments',
      list: plainList(() => apps.listDeploymentForAllNamespaces()),
    },
    replicasets: {
      path: '/apis/apps/v1/replicasets',
      list: plainList(() => apps.listReplicaSetForAllNamespaces()),
    },
    statefulsets: {
      path: '/apis/apps/v1/statefulsets',
      list: plainList(() => apps.listStatefulSetForAllNamespaces()),
    },
  };
}

type RawInformer = ClientInformer<KubernetesObject> &
  ObjectCache<KubernetesObject> & {
    latestResourceVersion(): string;
  };

const RESTART_MS = 1000;
const SYNC_POLL_MS = 20;

class SharedInformer {
  private restart: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    kind: KindName,
    readonly raw: RawInformer,
    private readonly log: (msg: string) => void,
  ) {
    raw.on('error', (err: unknown) => {
      if (this.stopped || this.restart) return;
      this.log(`informer ${kind}: ${describeError(err)}; restarting`);
      this.restart = setTimeout(() => {
        this.restart = undefined;
        if (!this.stopped) void this.raw.start();
      }, RESTART_MS);
    });
  }

  /** Resolves once the first list is in the cache (the watch then keeps it current). */
  async start(signal: AbortSignal): Promise<void> {
    await this.raw.start();
    while (this.raw.latestResourceVersion() === '' && !signal.aborted) {
      await new Promise((r) => setTimeout(r, SYNC_POLL_MS));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restart) clearTimeout(this.restart);
    await this.raw.stop();
  }
}

export class SharedInformers {
  private readonly informers = new Map<KindName, SharedInformer>();
  private readonly sources: Record<KindName, { path: string; list: ListFn }>;
  private readonly abort = new AbortController();

  constructor(
    private readonly kc: KubeConfig,
    private readonly log: (msg: string) => void = () => undefined,
  ) {
    this.sources = sources(kc);
  }

  /** The store of one kind; its informer starts with start(). */
  store<K extends KindName>(kind: K): Store<Kinds[K]> {
    let informer = this.informers.get(kind);
    if (!informer) {
      const src = this.sources[kind];
      const raw = makeInformer(this.kc, src.path, src.list) as RawInformer;
      informer = new SharedInformer(kind, raw, this.log);
      this.informers.set(kind, informer);
    }
    const raw = informer.raw;
    // The cache holds the API's JSON, which the project's API types describe.
    type T = Kinds[K];
    return {
      get: (namespace, name) => raw.get(name, namespace || undefined) as unknown as T | undefined,
      list: (namespace) => raw.list(namespace) as unknown as readonly T[],
      on: (event, handler) => raw.on(event, (o) => handler(o as unknown as T)),
    };
  }

  /** Starts every informer asked for so far; resolves when all have listed once. */
  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start(this.abort.signal)));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
