// The processes of the local cluster's control plane and nodes, as argv.
import { join } from 'node:path';
import type { ClusterLayout, NodeSpec } from './layout.js';
import { CLUSTER_CIDR, SERVICE_CIDR, layoutEnv } from './layout.js';
import type { ProcessSpec } from './processes.js';

export function script(layout: ClusterLayout, rel: string): string {
  return join(layout.repoRoot, 'dist', 'src', rel);
}

export function apiserverProcess(layout: ClusterLayout): ProcessSpec {
  return {
    name: 'kube-apiserver',
    argv: [
      process.execPath,
      script(layout, 'kube/apiserver/main.js'),
      '--data-dir',
      join(layout.stateDir, 'apiserver'),
      '--port',
      String(layout.apiPort),
      '--kubeconfig',
      layout.kubeconfig,
      '--service-cidr',
      SERVICE_CIDR,
      '--runtime-sockets',
      join(layout.stateDir, 'nodes', '{node}', 'kubelet', 'kubelet.sock'),
    ],
  };
}

export function kubeControllersProcess(layout: ClusterLayout): ProcessSpec {
  return {
    name: 'kube-controllers',
    argv: [
      process.execPath,
      script(layout, 'kube/controllers/main.js'),
      '--kubeconfig',
      layout.kubeconfig,
      '--cluster-cidr',
      CLUSTER_CIDR,
    ],
  };
}

export function nodeProcess(layout: ClusterLayout, node: NodeSpec): ProcessSpec {
  return {
    name: `node-${node.name}`,
    argv: [
      process.execPath,
      script(layout, 'cluster/node-main.js'),
      '--node',
      node.name,
      '--repo-root',
      layout.repoRoot,
    ],
    env: layoutEnv(layout),
  };
}
