// The objects a fresh cluster has before anyone writes: the four system Namespaces, the
// `kubernetes` Service and its Endpoints (this server's address), and Antrea's default Tiers.
// Run at every start; creates only what is missing, so user changes survive a restart.
import { DEFAULT_TIERS } from '../../apis/crd.js';
import type { KubeObject } from '../../apis/meta.js';
import type { Registry } from './registry.js';
import { findResource, type ResourceDef } from './resources.js';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const KUBERNETES_SERVICE_IP = '10.96.0.1';

function def(group: string, version: string, plural: string): ResourceDef {
  const d = findResource(group, version, plural);
  if (!d) throw new Error(`unknown resource ${plural}`);
  return d;
}

function ensure(registry: Registry, d: ResourceDef, namespace: string, o: KubeObject): void {
  if (!registry.find(d, namespace, o.metadata.name ?? '')) registry.create(d, namespace, o);
}

export function bootstrap(registry: Registry, apiServerPort: number): void {
  const namespaces = def('', 'v1', 'namespaces');
  for (const name of SYSTEM_NAMESPACES) ensure(registry, namespaces, '', { metadata: { name } });

  const labels = { component: 'apiserver', provider: 'kubernetes' };
  ensure(registry, def('', 'v1', 'services'), 'default', {
    metadata: { name: 'kubernetes', namespace: 'default', labels },
    spec: {
      type: 'ClusterIP',
      clusterIP: KUBERNETES_SERVICE_IP,
      clusterIPs: [KUBERNETES_SERVICE_IP],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiServerPort }],
      sessionAffinity: 'None',
    },
  } as KubeObject);

  // Like kube's endpoint reconciler: the Endpoints follow the server's current address.
  const endpointsDef = def('', 'v1', 'endpoints');
  const endpoints = {
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
    },
    subsets: [
      {
        addresses: [{ ip: '127.0.0.1' }],
        ports: [{ name: 'https', port: apiServerPort, protocol: 'TCP' }],
      },
    ],
  } as KubeObject;
  if (registry.find(endpointsDef, 'default', 'kubernetes')) {
    registry.update(endpointsDef, 'default', 'kubernetes', endpoints);
  } else registry.create(endpointsDef, 'default', endpoints);

  const tiers = def('crd.antrea.io', 'v1beta1', 'tiers');
  for (const [name, priority] of Object.entries(DEFAULT_TIERS)) {
    ensure(registry, tiers, '', {
      metadata: { name },
      spec: { priority, description: `[READ-ONLY]: Default Tier ${name}` },
    } as KubeObject);
  }
}
