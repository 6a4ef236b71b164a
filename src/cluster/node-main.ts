#!/usr/bin/env node
// One node of the local cluster as a process: registers the Node and keeps it Ready (the
// kubelet's node status loop), and runs the node's kubelet in-process. SIGTERM leaves the pods
// running (a restarted node process adopts them); `./antrea down` tears them down.
import { parseArgs } from 'node:util';
import { loadKubeConfig } from '../util/kubeclient.js';
import { clusterNodes } from './config.js';
import { clusterLayout } from './layout.js';
import { NodeHeartbeat } from './nodeheartbeat.js';
import { newKubelet } from './nodekubelet.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { node: { type: 'string' }, 'repo-root': { type: 'string', default: '.' } },
  });
  const layout = clusterLayout(values['repo-root']!);
  const node = clusterNodes(layout).find((n) => n.name === values.node);
  if (!node) throw new Error(`--node: unknown node "${values.node ?? ''}"`);
  const log = (msg: string) =>
    process.stderr.write(`${new Date().toISOString()} ${node.name}: ${msg}\n`);
  const heartbeat = new NodeHeartbeat(loadKubeConfig(layout.kubeconfig), node, log);
  const kubelet = newKubelet(layout, node, log);
  await heartbeat.start();
  await kubelet.start();
  log('node ready');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      heartbeat.stop();
      void kubelet.stop().finally(() => process.exit(0));
    });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`node: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
