// A node's kubelet: where it keeps its state and finds the CNI plugin and config (the node's
// /opt/cni/bin and /etc/cni/net.d), and how the node process (and `down`) creates it.
import { join } from 'node:path';
import { Kubelet } from '../kube/kubelet/kubelet.js';
import { loadKubeConfig } from '../util/kubeclient.js';
import type { ClusterLayout, NodeSpec } from './layout.js';
import { CLUSTER_DNS_IP } from './dns-objects.js';
import { ovsDir } from './nodeovs.js';

export function kubeletStateDir(node: NodeSpec): string {
  return join(node.dir, 'kubelet');
}

export function cniDirs(node: NodeSpec): { binDir: string; confDir: string } {
  return { binDir: join(node.dir, 'cni', 'bin'), confDir: join(node.dir, 'cni', 'net.d') };
}

export function newKubelet(
  layout: ClusterLayout,
  node: NodeSpec,
  log: (msg: string) => void,
): Kubelet {
  const cni = cniDirs(node);
  return new Kubelet({
    nodeName: node.name,
    kubeConfig: loadKubeConfig(layout.kubeconfig),
    stateDir: kubeletStateDir(node),
    nodeNetns: node.netns,
    netnsPrefix: `${layout.prefix}-${node.name.slice(layout.prefix.length + 1)}`,
    cniConfDir: cni.confDir,
    cniBinDir: cni.binDir,
    clusterDNS: { server: CLUSTER_DNS_IP, domain: 'cluster.local' },
    nodeEnv: { OVS_RUNDIR: ovsDir(node) },
    backoff: { initialMs: 1000, maxMs: 30_000 },
    log,
  });
}
