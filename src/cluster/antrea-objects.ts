// Antrea in the local cluster, as in a real one: Service kube-system/antrea, the
// antrea-controller Deployment (1/1) and one antrea-agent Pod per node (2/2: antrea-agent and
// antrea-ovs, init container install-cni). Their containers are this repository's programs.
import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Container,
  type V1Pod,
  type V1PodSpec,
} from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import {
  agentContainerArgs,
  agentSockets,
  installCniArgs,
  ovsContainerArgs,
  toolsBinDir,
} from './antrea-commands.js';
import { script } from './components.js';
import { AGENT_NODE_FLAGS } from '../agent/nodeflags.js';
import { CONTROLLER_NODE_FLAGS } from '../controller/nodeflags.js';
import { CONTROL_PLANE_TAINT } from './nodeheartbeat.js';
import { ovsDir } from './nodeovs.js';
import { ROOT_NETNS_ANNOTATION } from '../kube/kubelet/podworker.js';
import { layoutEnv, type ClusterLayout, type NodeSpec } from './layout.js';

const IMAGE = 'antrea/antrea-agent-ubuntu:local';

function conflict(e: unknown): boolean {
  return (e as { code?: number }).code === 409;
}

export async function createIgnoringExisting(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e) {
    if (!conflict(e)) throw e;
  }
}

/**
 * A one-replica Deployment in kube-system (the cluster's own components), unless it exists. Like
 * kubeadm's system pods, it may run on the tainted control-plane node.
 */
export async function ensureSystemDeployment(
  apps: AppsV1Api,
  name: string,
  labels: Record<string, string>,
  podSpec: V1PodSpec,
  podAnnotations?: Record<string, string>,
): Promise<void> {
  await createIgnoringExisting(() =>
    apps.createNamespacedDeployment({
      namespace: 'kube-system',
      body: {
        metadata: { name, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels, ...(podAnnotations ? { annotations: podAnnotations } : {}) },
            spec: { ...podSpec, tolerations: [CONTROL_PLANE_TAINT] },
          },
        },
      },
    }),
  );
}

function env(
  layout: ClusterLayout,
  extra: Record<string, string> = {},
): { name: string; value: string }[] {
  const vars = {
    PATH: `${toolsBinDir(layout)}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    ...extra,
  };
  return Object.entries(vars).map(([name, value]) => ({ name, value }));
}

/** kube's random suffix alphabet (no vowels, no look-alikes). */
function suffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

function agentPod(layout: ClusterLayout, node: NodeSpec, podCIDR: string): V1Pod {
  const container = (
    name: string,
    command: string[],
    extraEnv: Record<string, string> = {},
  ): V1Container => ({
    name,
    image: IMAGE,
    command,
    env: env(layout, extraEnv),
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `antrea-agent-${suffix()}`,
      namespace: 'kube-system',
      labels: { app: 'antrea', component: 'antrea-agent' },
      annotations: {
        [ROOT_NETNS_ANNOTATION]: 'true',
        // As in Antrea's manifest: `kubectl logs/exec` without -c pick the agent.
        'kubectl.kubernetes.io/default-container': 'antrea-agent',
      },
    },
    spec: {
      nodeName: node.name,
      hostNetwork: true,
      restartPolicy: 'Always',
      // A DaemonSet's pod, as Antrea's: every node, whatever its taints.
      tolerations: [{ operator: 'Exists' }],
      initContainers: [
        container('install-cni', [
          process.execPath,
          script(layout, 'cluster/install-cni.js'),
          ...installCniArgs(layout, node),
        ]),
      ],
      containers: [
        container(
          'antrea-agent',
          [
            process.execPath,
            ...AGENT_NODE_FLAGS,
            script(layout, 'agent/main.js'),
            ...agentContainerArgs(layout, node, podCIDR),
          ],
          {
            ANTREA_AGENT_SOCKET: agentSockets(node).api,
            KUBECONFIG: layout.kubeconfig,
          },
        ),
        container(
          'antrea-ovs',
          [
            process.execPath,
            script(layout, 'cluster/ovs-container.js'),
            ...ovsContainerArgs(layout, node),
          ],
          // It reads the cluster's shape from the state dir, like the node processes.
          { ...layoutEnv(layout), OVS_RUNDIR: ovsDir(node) },
        ),
      ],
    },
  };
}

export async function ensureAntreaObjects(
  kc: KubeConfig,
  layout: ClusterLayout,
  nodes: readonly NodeSpec[],
): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  await createIgnoringExisting(() =>
    core.createNamespacedService({
      namespace: 'kube-system',
      body: {
        metadata: { name: 'antrea', labels: { app: 'antrea' } },
        spec: {
          selector: { app: 'antrea', component: 'antrea-controller' },
          ports: [{ port: 443, protocol: 'TCP', targetPort: 10349 }],
        },
      },
    }),
  );
  const controllerLabels = { app: 'antrea', component: 'antrea-controller' };
  await ensureSystemDeployment(
    apps,
    'antrea-controller',
    controllerLabels,
    {
      hostNetwork: true,
      nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
      containers: [
        {
          name: 'antrea-controller',
          image: IMAGE,
          command: [
            process.execPath,
            ...CONTROLLER_NODE_FLAGS,
            script(layout, 'controller/main.js'),
            '--kubeconfig',
            layout.kubeconfig,
            '--port',
            String(layout.controllerPort),
            '--node-name',
            nodes[0]!.name,
          ],
          env: env(layout, { KUBECONFIG: layout.kubeconfig }),
        },
      ],
    },
    { [ROOT_NETNS_ANNOTATION]: 'true' },
  );
  const existing = await core.listNamespacedPod({
    namespace: 'kube-system',
    labelSelector: 'component=antrea-agent',
  });
  for (const node of nodes) {
    if (existing.items.some((p) => p.spec?.nodeName === node.name)) continue;
    const podCIDR = (await core.readNode({ name: node.name })).spec?.podCIDR;
    if (!podCIDR) throw new Error(`node ${node.name} has no PodCIDR yet`);
    await core.createNamespacedPod({
      namespace: 'kube-system',
      body: agentPod(layout, node, podCIDR),
    });
  }
}
