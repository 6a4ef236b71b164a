// The AntreaAgentInfo heartbeat: the agent writes its state into the cluster-scoped object named
// after its node (what `kubectl describe antreaagentinfos` and `antctl get agentinfo` show).
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { CRD_API_VERSION, type AntreaAgentInfo } from '../../apis/index.js';
import { upsertClusterCustomObject } from '../../util/kubeclient.js';

export const AGENT_VERSION = 'v0.1.0';
const HEARTBEAT_MS = 30_000;

export interface AgentInfoSource {
  readonly nodeName: string;
  readonly podCIDR: string;
  readonly bridgeName: string;
  readonly ovsVersion: string;
  readonly apiPort?: number;
  localPodCount(): number;
  /** Installed flows per table id. */
  flowCountsByTable(): Record<string, number>;
  policyCounts(): { networkPolicies: number; addressGroups: number; appliedToGroups: number };
  controllerConnected(): boolean;
}

export function agentInfoOf(
  src: AgentInfoSource,
  podName: string | undefined,
  now: Date,
): AntreaAgentInfo {
  const t = now.toISOString();
  const counts = src.policyCounts();
  const condition = (type: string, ok: boolean) => ({
    type,
    status: ok ? ('True' as const) : ('False' as const),
    lastHeartbeatTime: t,
  });
  return {
    apiVersion: CRD_API_VERSION,
    kind: 'AntreaAgentInfo',
    metadata: { name: src.nodeName },
    version: AGENT_VERSION,
    ...(podName ? { podRef: { kind: 'Pod', namespace: 'kube-system', name: podName } } : {}),
    nodeRef: { kind: 'Node', name: src.nodeName },
    nodeSubnets: [src.podCIDR],
    ovsInfo: {
      version: src.ovsVersion,
      bridgeName: src.bridgeName,
      flowTable: src.flowCountsByTable(),
    },
    networkPolicyControllerInfo: {
      networkPolicyNum: counts.networkPolicies,
      addressGroupNum: counts.addressGroups,
      appliedToGroupNum: counts.appliedToGroups,
    },
    localPodNum: src.localPodCount(),
    agentConditions: [
      condition('AgentHealthy', true),
      condition('ControllerConnectionUp', src.controllerConnected()),
      condition('OVSDBConnectionUp', true),
      condition('OpenflowConnectionUp', true),
    ],
    ...(src.apiPort !== undefined ? { apiPort: src.apiPort } : {}),
  };
}

export class AgentInfoHeartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly src: AgentInfoSource,
    private readonly log: (msg: string) => void,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Writes the object now (also called when counts change noticeably). */
  async beat(): Promise<void> {
    try {
      const info = agentInfoOf(
        this.src,
        await agentPodName(this.kc, this.src.nodeName),
        new Date(),
      );
      await upsertClusterCustomObject(
        this.kc,
        'antreaagentinfos',
        info as unknown as { metadata: { name: string } } & Record<string, unknown>,
      );
    } catch (e) {
      this.log(`AntreaAgentInfo: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** The antrea-agent Pod on the node, for podRef (the heartbeat's and `antctl get agentinfo`'s). */
export async function agentPodName(kc: KubeConfig, nodeName: string): Promise<string | undefined> {
  const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({
    namespace: 'kube-system',
    labelSelector: 'component=antrea-agent',
    fieldSelector: `spec.nodeName=${nodeName}`,
  });
  return pods.items[0]?.metadata?.name;
}
