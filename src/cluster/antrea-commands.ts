// The command lines of Antrea's containers in the local cluster, and where each node's agent
// keeps its sockets and state.
import { join } from 'node:path';
import type { ClusterLayout, NodeSpec } from './layout.js';
import { cniDirs } from './nodekubelet.js';
import { ovsDir } from './nodeovs.js';

export function agentDir(node: NodeSpec): string {
  return join(node.dir, 'agent');
}

export function agentSockets(node: NodeSpec): { cni: string; api: string } {
  return { cni: join(agentDir(node), 'cni.sock'), api: join(agentDir(node), 'antctl.sock') };
}

/** Wrappers for tools that containers' commands and `kubectl exec` call (antctl). */
export function toolsBinDir(layout: ClusterLayout): string {
  return join(layout.stateDir, 'bin');
}

export function installCniArgs(layout: ClusterLayout, node: NodeSpec): string[] {
  const cni = cniDirs(node);
  return [
    '--bin-dir',
    cni.binDir,
    '--conf-dir',
    cni.confDir,
    '--socket',
    agentSockets(node).cni,
    '--tools-dir',
    toolsBinDir(layout),
  ];
}

export function agentContainerArgs(
  layout: ClusterLayout,
  node: NodeSpec,
  podCIDR: string,
): string[] {
  const sockets = agentSockets(node);
  return [
    '--node-name',
    node.name,
    '--pod-cidr',
    podCIDR,
    '--ovs-run-dir',
    ovsDir(node),
    '--netns',
    node.netns,
    '--cni-socket',
    sockets.cni,
    '--api-socket',
    sockets.api,
    '--state-dir',
    agentDir(node),
    '--kubeconfig',
    layout.kubeconfig,
    '--controller',
    `http://127.0.0.1:${layout.controllerPort}`,
  ];
}

export function ovsContainerArgs(layout: ClusterLayout, node: NodeSpec): string[] {
  return ['--node', node.name, '--repo-root', layout.repoRoot];
}
