// Other nodes, from the Kubernetes API: for each Node with a PodCIDR and an InternalIP, the
// L3 flows that tunnel to its pods (tun_dst = its IP) and a host route to its PodCIDR through
// antrea-gw0, as Antrea's route client installs. Removed when the Node goes.
import { CoreV1Api, makeInformer, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import type { OpenflowClient } from '../openflow/client.js';
import { GATEWAY_PORT_NAME, type RemoteNode } from '../openflow/types.js';
import { run } from '../../util/exec.js';
import { PodSubnet } from '../ipam/subnet.js';

function remoteNodeOf(n: V1Node): RemoteNode | undefined {
  const name = n.metadata?.name;
  const podCIDR = n.spec?.podCIDR;
  const nodeIP = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  if (!name || !podCIDR || !nodeIP) return undefined;
  return { name, podCIDR, nodeIP, gatewayIP: PodSubnet.parse(podCIDR).gateway };
}

export class NodeRouteWatcher {
  private readonly installed = new Map<string, string>();
  private stopFn: (() => void) | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly self: string,
    private readonly flows: OpenflowClient,
    private readonly netns: string | undefined,
    private readonly log: (msg: string) => void,
  ) {}

  async start(): Promise<void> {
    const core = this.kc.makeApiClient(CoreV1Api);
    const informer = makeInformer(this.kc, '/api/v1/nodes', () => core.listNode());
    const upsert = (n: V1Node) =>
      void this.upsert(n).catch((e: unknown) => this.log(`node ${n.metadata?.name}: ${String(e)}`));
    informer.on('add', upsert);
    informer.on('update', upsert);
    informer.on(
      'delete',
      (n) => void this.remove(n.metadata?.name ?? '').catch((e: unknown) => this.log(String(e))),
    );
    informer.on('error', () =>
      setTimeout(() => void informer.start().catch(() => undefined), 1000),
    );
    await informer.start();
    this.stopFn = () => void informer.stop();
  }

  stop(): void {
    this.stopFn?.();
  }

  private async upsert(n: V1Node): Promise<void> {
    const node = remoteNodeOf(n);
    if (!node || node.name === this.self) return;
    const key = JSON.stringify(node);
    if (this.installed.get(node.name) === key) return;
    await this.flows.installRemoteNode(node);
    await this.route([
      'replace',
      node.podCIDR,
      'via',
      node.gatewayIP,
      'dev',
      GATEWAY_PORT_NAME,
      'onlink',
    ]);
    this.installed.set(node.name, key);
    this.log(`tunnel to ${node.name}: ${node.podCIDR} via ${node.nodeIP}`);
  }

  private async remove(name: string): Promise<void> {
    const key = this.installed.get(name);
    if (!key) return;
    const node = JSON.parse(key) as RemoteNode;
    await this.flows.uninstallRemoteNode(name);
    await this.route(['del', node.podCIDR]).catch(() => undefined);
    this.installed.delete(name);
  }

  private route(args: string[]): Promise<string> {
    return run('ip', [...(this.netns ? ['-n', this.netns] : []), 'route', ...args]);
  }
}
