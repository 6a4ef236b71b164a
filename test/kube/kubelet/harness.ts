// One node for the kubelet's end-to-end tests: the embedded API server (in-process) with the
// kubelet's client as its PodRuntime, a node netns holding a bridge (the fake CNI plugin joins
// pods to it), a Node object with that bridge's address as InternalIP, and a Kubelet with a
// short restart back-off. Every netns is under one random prefix; stop() removes the pods (by
// pid, through the kubelet), then exactly those namespaces and the temp dir.
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../../src/apis/core.js';
import { ApiServer } from '../../../src/kube/apiserver/server.js';
import { KubeletClient } from '../../../src/kube/kubelet/client.js';
import { Kubelet, type KubeletOptions } from '../../../src/kube/kubelet/kubelet.js';
import { run } from '../../../src/util/exec.js';
import { TestNet } from '../../helpers/netns.js';
import { installFakeCni, type FakeCni } from './fakecni.js';

export const NODE = 'node-a';
export const SUBNET = '10.213.0';
export const NODE_IP = `${SUBNET}.1`;

export class KubeletHarness {
  kubelet!: Kubelet;
  server!: ApiServer;
  api!: CoreV1Api;
  cni!: FakeCni;
  nodeNetns = '';
  kubeconfigPath = '';
  readonly runtime: KubeletClient;
  /** What the kubelet logged (its errors and retries), for failure messages. */
  readonly logs: string[] = [];

  private constructor(
    readonly net: TestNet,
    readonly dir: string,
  ) {
    this.runtime = new KubeletClient(() => this.kubelet.socketPath);
  }

  static async start(tag: string): Promise<KubeletHarness> {
    const net = new TestNet(tag);
    const h = new KubeletHarness(net, await mkdtemp(join(tmpdir(), `${net.prefix}-`)));
    try {
      await h.setUp();
    } catch (e) {
      await h.stop();
      throw e;
    }
    return h;
  }

  private async setUp(): Promise<void> {
    this.nodeNetns = await this.net.netns('node');
    const ip = (...args: string[]) => run('ip', ['-n', this.nodeNetns, ...args]);
    await ip('link', 'add', 'br0', 'type', 'bridge');
    await ip('addr', 'add', `${NODE_IP}/24`, 'dev', 'br0');
    await ip('link', 'set', 'br0', 'up');
    this.cni = await installFakeCni({
      dir: join(this.dir, 'cni'),
      bridgeNetns: this.nodeNetns,
      bridge: 'br0',
      subnet: SUBNET,
      chained: false, // cni.test.ts covers chaining
    });
    await this.startApiServer();
    this.kubeconfigPath = join(this.dir, 'kubeconfig');
    this.server.writeKubeconfig(this.kubeconfigPath);
    const kc = new KubeConfig();
    kc.loadFromString(this.server.kubeconfig());
    this.api = kc.makeApiClient(CoreV1Api);
    await this.api.createNode({
      body: {
        metadata: { name: NODE },
        status: { addresses: [{ type: 'InternalIP', address: NODE_IP }] },
      },
    });
    this.kubelet = this.newKubelet();
    await this.kubelet.start();
  }

  /** Starts the API server on its data dir (again, after it stopped, on the same port). */
  async startApiServer(port = 0): Promise<void> {
    this.server = await ApiServer.start({ dataDir: join(this.dir, 'apiserver'), port });
    this.server.setPodRuntime(this.runtime);
  }

  /** A kubelet on this node's state dir (not started). */
  newKubelet(): Kubelet {
    const kc = new KubeConfig();
    kc.loadFromString(this.server.kubeconfig());
    return new Kubelet(this.options(kc));
  }

  private options(kubeConfig: KubeConfig): KubeletOptions {
    return {
      nodeName: NODE,
      kubeConfig,
      stateDir: join(this.dir, 'kubelet'),
      nodeNetns: this.nodeNetns,
      netnsPrefix: this.net.prefix,
      cniConfDir: this.cni.confDir,
      cniBinDir: this.cni.binDir,
      nodeEnv: { NODE_EXTRA: 'from-node' },
      backoff: { initialMs: 300, maxMs: 1200 },
      log: (msg) => this.logs.push(msg),
    };
  }

  /** Stops the kubelet (pods run on), runs `meanwhile`, then starts a new one on the same state. */
  async restartKubelet(meanwhile: () => Promise<void> = async () => undefined): Promise<void> {
    await this.kubelet.stop();
    await meanwhile();
    this.kubelet = this.newKubelet();
    await this.kubelet.start();
  }

  /** Creates a pod bound to this node (as the scheduler would have). */
  async createPod(pod: Pod): Promise<Pod> {
    const body = { ...pod, spec: { ...pod.spec!, nodeName: NODE } };
    return (await this.api.createNamespacedPod({
      namespace: pod.metadata.namespace ?? 'default',
      body: body as V1Pod,
    })) as Pod;
  }

  async getPod(name: string, namespace = 'default'): Promise<Pod> {
    return (await this.api.readNamespacedPod({ name, namespace })) as Pod;
  }

  /** Polls the pod until `ok` holds; fails with its last status and the kubelet's log. */
  async waitPod(
    name: string,
    ok: (p: Pod) => boolean,
    what: string,
    timeoutMs = 20_000,
  ): Promise<Pod> {
    const deadline = Date.now() + timeoutMs;
    let last: Pod | undefined;
    while (Date.now() < deadline) {
      last = await this.getPod(name).catch(() => undefined);
      if (last && ok(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `pod ${name}: timed out waiting for ${what}; status ${JSON.stringify(last?.status)}; ` +
        `kubelet: ${this.logs.join(' | ')}`,
    );
  }

  /** The pod netns this kubelet made (under the test's prefix). */
  async podNamespaces(): Promise<string[]> {
    const out = await run('ip', ['netns', 'list']);
    return out
      .split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter((n) => n.startsWith(`${this.net.prefix}-pod-`));
  }

  async stop(): Promise<void> {
    const ignore = (): undefined => undefined;
    if (this.kubelet) {
      await this.kubelet.removeAllPods().catch(ignore);
      await this.kubelet.stop().catch(ignore);
    }
    await this.server?.stop().catch(ignore);
    // Anything a failed teardown left under the prefix (the kubelet names pod netns after it).
    for (const ns of await this.podNamespaces().catch(() => [])) {
      await run('ip', ['netns', 'del', ns]).catch(ignore);
    }
    await this.net.cleanup();
    await rm(this.dir, { recursive: true, force: true });
  }
}

export const ready = (p: Pod): boolean =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
