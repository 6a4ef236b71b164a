// A control plane for controller tests: the embedded API server (with the Service allocation
// plugin wired in as the local cluster wires it), the kube controllers, typed clients, and
// what a kubelet would do (register Nodes, report pods Running and Ready).
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import type { Taint } from '../../../src/apis/core.js';
import { STRATEGIC_PATCH } from '../../../src/kube/controllers/api.js';
import {
  serviceAllocationPlugin,
  startKubeControllers,
  type KubeControllers,
  type KubeControllersOptions,
} from '../../../src/kube/controllers/index.js';
import type { ApiServer } from '../../../src/kube/apiserver/server.js';
import { Harness } from '../apiserver/harness.js';

export { table, until } from '../apiserver/harness.js';

export const SERVICE_CIDR = '10.96.0.0/12';
export const CLUSTER_CIDR = '10.10.0.0/16';

export interface NodeSpec {
  readonly ready?: boolean;
  readonly labels?: Record<string, string>;
  readonly taints?: readonly Taint[];
}

export class ControllerCluster {
  readonly kc = new KubeConfig();
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly logs: string[] = [];
  private controllers: KubeControllers | undefined;

  private constructor(readonly harness: Harness) {
    this.kc.loadFromFile(harness.kubeconfig);
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.apps = this.kc.makeApiClient(AppsV1Api);
  }

  static async start(opts: Partial<KubeControllersOptions> = {}): Promise<ControllerCluster> {
    let server: ApiServer | undefined;
    const allocation = serviceAllocationPlugin(
      { serviceCIDR: SERVICE_CIDR },
      () => server?.registry.storage.list('services') ?? [],
    );
    const harness = await Harness.start({ admission: [allocation] });
    server = harness.server;
    const cluster = new ControllerCluster(harness);
    await cluster.startControllers(opts);
    return cluster;
  }

  async startControllers(opts: Partial<KubeControllersOptions> = {}): Promise<void> {
    this.controllers = await startKubeControllers(this.kc, {
      clusterCIDR: CLUSTER_CIDR,
      log: (m) => this.logs.push(m),
      ...opts,
    });
  }

  async stopControllers(): Promise<void> {
    await this.controllers?.stop();
    this.controllers = undefined;
  }

  kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return this.harness.kubectl(args);
  }

  /** Registers a Node as a kubelet does, with its Ready condition. */
  async addNode(name: string, spec: NodeSpec = {}): Promise<void> {
    const body = {
      metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(spec.labels ?? {}) } },
      spec: spec.taints ? { taints: spec.taints } : {},
      status: { conditions: [{ type: 'Ready', status: spec.ready === false ? 'False' : 'True' }] },
    } as V1Node;
    await this.core.createNode({ body });
  }

  /** What the kubelet reports once a pod runs: phase Running, its IP, Ready (or not). */
  async reportPod(namespace: string, name: string, ip: string, ready = true): Promise<void> {
    const status = ready ? 'True' : 'False';
    const body = {
      status: {
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [
          { type: 'Ready', status },
          { type: 'ContainersReady', status },
        ],
      },
    };
    await this.core.patchNamespacedPodStatus({ namespace, name, body }, STRATEGIC_PATCH);
  }

  async pods(namespace: string, labelSelector?: string): Promise<V1Pod[]> {
    return (
      await this.core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) })
    ).items;
  }

  async stop(): Promise<void> {
    await this.stopControllers();
    await this.harness.stop();
  }
}
