// Cluster DNS in the local cluster, as kubeadm sets it up: Service kube-system/kube-dns
// (ClusterIP 10.96.0.10; 53/UDP, 53/TCP, 9153/TCP) in front of the `coredns` Deployment, whose
// pod runs this repository's DNS server (src/kube/dns/main.ts) on its pod IP. Pods cannot reach
// the API server (it listens on the host's loopback; the cluster is sealed), so the server
// watches Services through a feed process in the host's network namespace, which the launcher
// names `<prefix>-host` for it (a name only: `ip netns attach` of the launcher's own namespace,
// removed by `down` with the cluster's other namespaces).
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { run } from '../util/exec.js';
import { createIgnoringExisting, ensureSystemDeployment } from './antrea-objects.js';
import { script } from './components.js';
import type { ClusterLayout } from './layout.js';
import { waitFor } from './progress.js';

/** kubeadm's choice: the tenth address of the Service CIDR. */
export const CLUSTER_DNS_IP = '10.96.0.10';
const LABELS = { 'k8s-app': 'kube-dns' };
const READY_TIMEOUT_MS = 120_000;

export function hostNetnsName(layout: ClusterLayout): string {
  return `${layout.prefix}-host`;
}

async function nameHostNetns(layout: ClusterLayout): Promise<void> {
  const name = hostNetnsName(layout);
  const list = await run('ip', ['netns', 'list']);
  if (list.split('\n').some((l) => l.split(' ')[0] === name)) return;
  await run('ip', ['netns', 'attach', name, String(process.pid)]);
}

async function corednsReady(kc: KubeConfig): Promise<true | undefined> {
  const eps = await kc
    .makeApiClient(CoreV1Api)
    .readNamespacedEndpoints({ namespace: 'kube-system', name: 'kube-dns' });
  return (eps.subsets ?? []).some((s) => (s.addresses ?? []).length > 0) ? true : undefined;
}

export async function ensureClusterDns(kc: KubeConfig, layout: ClusterLayout): Promise<void> {
  await nameHostNetns(layout);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  await createIgnoringExisting(() =>
    core.createNamespacedService({
      namespace: 'kube-system',
      body: {
        metadata: {
          name: 'kube-dns',
          labels: { ...LABELS, 'kubernetes.io/name': 'CoreDNS' },
        },
        spec: {
          clusterIP: CLUSTER_DNS_IP,
          selector: LABELS,
          ports: [
            { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
            { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
            { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
          ],
        },
      },
    }),
  );
  await ensureSystemDeployment(apps, 'coredns', LABELS, {
    containers: [
      {
        name: 'coredns',
        image: 'coredns/coredns:local',
        command: [
          process.execPath,
          script(layout, 'kube/dns/main.js'),
          '--kubeconfig',
          layout.kubeconfig,
          '--api-netns',
          hostNetnsName(layout),
        ],
        // Ready once the first TCP port (53) listens, i.e. after the first list.
        ports: [
          { name: 'dns', containerPort: 53, protocol: 'UDP' },
          { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
          { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
        ],
      },
    ],
  });
  await waitFor('the coredns pod Ready behind kube-dns', () => corednsReady(kc), READY_TIMEOUT_MS);
}
