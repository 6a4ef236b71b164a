// `./antrea up`: the underlay and the nodes' namespaces and OVS, the API server, the kube
// controllers, a kubelet per node, then Antrea itself as pods. Every step checks what exists
// first, so running it again is harmless and restarts only what is missing.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { loadKubeConfig } from '../util/kubeclient.js';
import { ensureAntreaObjects } from './antrea-objects.js';
import { apiserverProcess, kubeControllersProcess, nodeProcess } from './components.js';
import { writeConfig, readConfig } from './config.js';
import { ensureClusterDns } from './dns-objects.js';
import type { ClusterLayout, NodeSpec } from './layout.js';
import { nodeSpecs } from './layout.js';
import { ensureNodeOvs } from './nodeovs.js';
import { ensureProcess, logPath } from './processes.js';
import { step, waitFor } from './progress.js';
import { ensureNodeNetns, ensureUnderlay } from './underlay.js';

const READY_TIMEOUT_MS = 180_000;

async function apiReady(kc: KubeConfig): Promise<true | undefined> {
  await kc.makeApiClient(CoreV1Api).listNamespace();
  return true;
}

async function nodesReady(kc: KubeConfig, nodes: readonly NodeSpec[]): Promise<true | undefined> {
  const list = await kc.makeApiClient(CoreV1Api).listNode();
  const ready = list.items.filter(
    (n) =>
      n.spec?.podCIDR &&
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  return nodes.every((s) => ready.some((n) => n.metadata?.name === s.name)) ? true : undefined;
}

async function antreaRunning(
  kc: KubeConfig,
  nodes: readonly NodeSpec[],
): Promise<true | undefined> {
  const pods = await kc
    .makeApiClient(CoreV1Api)
    .listNamespacedPod({ namespace: 'kube-system', labelSelector: 'app=antrea' });
  // Running with every container ready (2/2 for agents), as `kubectl get pods` shows it.
  const ready = pods.items.filter(
    (p) =>
      p.status?.phase === 'Running' &&
      (p.status.containerStatuses ?? []).length === (p.spec?.containers ?? []).length &&
      (p.status.containerStatuses ?? []).every((c) => c.ready),
  );
  const agents = ready.filter((p) => p.metadata?.labels?.['component'] === 'antrea-agent');
  const controllers = ready.filter(
    (p) => p.metadata?.labels?.['component'] === 'antrea-controller',
  );
  return agents.length === nodes.length && controllers.length === 1 ? true : undefined;
}

export async function up(layout: ClusterLayout, workers: number): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error(
      './antrea up must run as root (it creates network namespaces and starts Open vSwitch)',
    );
  if (!existsSync(layout.repoRoot + '/dist/src/cluster/main.js'))
    throw new Error(
      'the project is not built (run ./antrea up through the launcher, which builds it)',
    );
  const previous = readConfig(layout);
  if (previous && previous.workers !== workers) {
    throw new Error(
      `a cluster with ${previous.workers} workers exists in ${layout.stateDir}; run ./antrea down first to change --workers`,
    );
  }
  writeConfig(layout, { workers });
  const nodes = nodeSpecs(layout, workers);

  await step('underlay network', () => ensureUnderlay(layout));
  for (const [i, node] of nodes.entries()) {
    await step(`node ${node.name}: network namespace and Open vSwitch`, async () => {
      await ensureNodeNetns(layout, node, i);
      await ensureNodeOvs(node);
    });
  }
  const api = apiserverProcess(layout);
  await step(
    'kube-apiserver',
    async () => {
      ensureProcess(layout, api);
      await waitFor(
        'the API server',
        async () =>
          existsSync(layout.kubeconfig) ? apiReady(loadKubeConfig(layout.kubeconfig)) : undefined,
        30_000,
      );
    },
    logPath(layout, api.name),
  );
  const kc = loadKubeConfig(layout.kubeconfig);
  const ctrl = kubeControllersProcess(layout);
  await step(
    'kube controllers',
    async () => void ensureProcess(layout, ctrl),
    logPath(layout, ctrl.name),
  );
  await step(
    'kubelets and nodes Ready',
    async () => {
      for (const node of nodes) ensureProcess(layout, nodeProcess(layout, node));
      await waitFor(
        'every node Ready with a PodCIDR',
        () => nodesReady(kc, nodes),
        READY_TIMEOUT_MS,
      );
    },
    layout.logsDir,
  );
  await step(
    'Antrea (controller, agents, CNI)',
    async () => {
      await ensureAntreaObjects(kc, layout, nodes);
      await waitFor(
        'antrea-controller and every antrea-agent Running',
        () => antreaRunning(kc, nodes),
        READY_TIMEOUT_MS,
      );
    },
    layout.logsDir,
  );
  await step('cluster DNS (coredns)', () => ensureClusterDns(kc, layout), layout.logsDir);
}
