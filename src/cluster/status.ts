// `./antrea status`: the nodes and the components, whether each runs, and where its log is.
import { CoreV1Api } from '@kubernetes/client-node';
import { readdirSync } from 'node:fs';
import { loadKubeConfig } from '../util/kubeclient.js';
import { readConfig } from './config.js';
import type { ClusterLayout } from './layout.js';
import { logPath, runningPid } from './processes.js';

export async function status(layout: ClusterLayout): Promise<number> {
  const config = readConfig(layout);
  if (!config) {
    console.log(`no cluster (state dir ${layout.stateDir} is empty); start one with ./antrea up`);
    return 1;
  }
  console.log(
    `cluster: 1 control-plane node, ${config.workers} workers; state in ${layout.stateDir}`,
  );
  console.log(`export KUBECONFIG=${layout.kubeconfig}\n`);
  let names: string[] = [];
  try {
    names = readdirSync(layout.pidsDir)
      .filter((f) => f.endsWith('.pid'))
      .map((f) => f.slice(0, -4));
  } catch {
    names = [];
  }
  let healthy = true;
  console.log('PROCESS'.padEnd(40) + 'STATE'.padEnd(18) + 'LOG');
  for (const n of names.sort()) {
    const pid = runningPid(layout, n);
    healthy &&= pid !== undefined;
    console.log(
      n.padEnd(40) + (pid ? `running (${pid})` : 'stopped').padEnd(18) + logPath(layout, n),
    );
  }
  try {
    const core = loadKubeConfig(layout.kubeconfig).makeApiClient(CoreV1Api);
    const nodes = await core.listNode();
    console.log('\nNODE'.padEnd(41) + 'READY   POD-CIDR');
    for (const node of nodes.items) {
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
      console.log(
        (node.metadata?.name ?? '').padEnd(40) + ready.padEnd(8) + (node.spec?.podCIDR ?? ''),
      );
    }
    const pods = await core.listNamespacedPod({
      namespace: 'kube-system',
      labelSelector: 'app=antrea',
    });
    console.log('\nANTREA POD'.padEnd(41) + 'NODE'.padEnd(32) + 'PHASE');
    for (const p of pods.items) {
      console.log(
        (p.metadata?.name ?? '').padEnd(40) +
          (p.spec?.nodeName ?? '').padEnd(32) +
          (p.status?.phase ?? ''),
      );
    }
    console.log(
      `\npod logs: kubectl logs -n kube-system POD -c CONTAINER; node logs under ${layout.logsDir}`,
    );
  } catch (e) {
    healthy = false;
    console.log(`\nthe API server does not answer: ${e instanceof Error ? e.message : String(e)}`);
  }
  return healthy ? 0 : 1;
}
