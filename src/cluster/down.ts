// `./antrea down`: stops every process of the cluster by its pid file (pods' processes with
// their kubelet), the nodes' OVS daemons, deletes the cluster's namespaces (nodes, pods,
// underlay) and its state directory. Nothing outside the cluster is touched.
import { readdirSync, rmSync } from 'node:fs';
import { OvsDaemons } from '../ovs/daemons.js';
import { run } from '../util/exec.js';
import { clusterNodes } from './config.js';
import type { ClusterLayout } from './layout.js';
import { ovsDir } from './nodeovs.js';
import { stopProcess } from './processes.js';
import { newKubelet } from './nodekubelet.js';
import { step } from './progress.js';
import { clusterNamespaces } from './underlay.js';

function pidNames(layout: ClusterLayout): string[] {
  try {
    return readdirSync(layout.pidsDir)
      .filter((f) => f.endsWith('.pid'))
      .map((f) => f.slice(0, -4));
  } catch {
    return [];
  }
}

export async function down(layout: ClusterLayout): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('./antrea down must run as root');
  const names = pidNames(layout);
  let nodes: ReturnType<typeof clusterNodes> = [];
  try {
    nodes = clusterNodes(layout);
  } catch {
    nodes = [];
  }
  const nodeProcs = names.filter((n) => n.startsWith('node-'));
  await step('stopping kubelets', async () => {
    for (const n of nodeProcs) await stopProcess(layout, n);
  });
  // The pods' processes outlive their kubelet by design; each node's records say what to stop.
  await step('removing pods (processes, CNI DEL, namespaces)', async () => {
    for (const node of nodes) await newKubelet(layout, node, () => undefined).removeAllPods();
  });
  await step('stopping the control plane', async () => {
    for (const n of names.filter((x) => !nodeProcs.includes(x))) await stopProcess(layout, n);
  });
  await step('stopping Open vSwitch of every node', async () => {
    for (const node of nodes)
      await OvsDaemons.attach({ dir: ovsDir(node), netns: node.netns }).stop();
  });
  await step('deleting network namespaces', async () => {
    for (const ns of await clusterNamespaces(layout)) await run('ip', ['netns', 'del', ns]);
  });
  await step(`removing ${layout.stateDir}`, async () =>
    rmSync(layout.stateDir, { recursive: true, force: true }),
  );
}
