// Registers a Node and keeps its Ready condition fresh, as the kubelet's node status loop does.
import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import type { NodeSpec } from './layout.js';

const HEARTBEAT_MS = 10_000;

/** kubeadm's taint on control-plane nodes (Kind's too). */
export const CONTROL_PLANE_TAINT = {
  key: 'node-role.kubernetes.io/control-plane',
  effect: 'NoSchedule',
} as const;
const CONFLICT_RETRIES = 5;
export const KUBE_VERSION = 'v1.32.0';

function readyCondition(now: Date, since: Date) {
  return {
    type: 'Ready',
    status: 'True',
    reason: 'KubeletReady',
    message: 'kubelet is posting ready status',
    lastHeartbeatTime: now,
    lastTransitionTime: since,
  };
}

export class NodeHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private readonly api: CoreV1Api;
  private readonly since = new Date();

  constructor(
    kc: KubeConfig,
    private readonly node: NodeSpec,
    private readonly log: (msg: string) => void,
  ) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  async start(): Promise<void> {
    await this.register();
    await this.beat();
    this.timer = setInterval(
      () => void this.beat().catch((e: unknown) => this.log(`heartbeat: ${String(e)}`)),
      HEARTBEAT_MS,
    );
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async register(): Promise<void> {
    const labels: Record<string, string> = {
      'kubernetes.io/hostname': this.node.name,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      ...(this.node.controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
    };
    try {
      await this.api.readNode({ name: this.node.name });
    } catch {
      const body: V1Node = {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: this.node.name, labels },
        // As in Kind (kubeadm): workloads go to the workers unless they tolerate it.
        ...(this.node.controlPlane ? { spec: { taints: [CONTROL_PLANE_TAINT] } } : {}),
      };
      await this.api.createNode({ body });
    }
  }

  /**
   * The node IPAM controller writes the Node (its PodCIDR) right after registration, so a status
   * update read before that write conflicts: read again and retry, as the kubelet does.
   */
  private async beat(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.replaceStatus();
      } catch (e) {
        if ((e as { code?: number }).code !== 409 || attempt >= CONFLICT_RETRIES) throw e;
      }
    }
  }

  private async replaceStatus(): Promise<void> {
    const current = await this.api.readNode({ name: this.node.name });
    const now = new Date();
    const status = {
      ...current.status,
      addresses: [
        { type: 'InternalIP', address: this.node.ip },
        { type: 'Hostname', address: this.node.name },
      ],
      conditions: [readyCondition(now, this.since)],
      nodeInfo: {
        kubeletVersion: KUBE_VERSION,
        kubeProxyVersion: KUBE_VERSION,
        operatingSystem: 'linux',
        architecture: 'amd64',
        containerRuntimeVersion: 'netns://0.1.0',
        osImage: 'antrea local cluster',
        kernelVersion: '',
        bootID: '',
        machineID: '',
        systemUUID: '',
      },
    };
    await this.api.replaceNodeStatus({
      name: this.node.name,
      body: { ...current, status } as V1Node,
    });
  }
}
