// Feeds the controller's policy computation from the Kubernetes API through
// @kubernetes/client-node informers (list + watch, resumed by the library after errors).
import {
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { KubeObject } from '../apis/index.js';
import { CRD_API_VERSION } from '../apis/index.js';

export interface ObjectSink {
  apply(obj: KubeObject): unknown;
  delete(obj: KubeObject): unknown;
}

interface Resource {
  readonly path: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly list: () => Promise<KubernetesListObject<KubernetesObject>>;
}

function resources(kc: KubeConfig): Resource[] {
  const core = kc.makeApiClient(CoreV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const crd = (plural: string, kind: string): Resource => ({
    path: `/apis/${CRD_API_VERSION}/${plural}`,
    apiVersion: CRD_API_VERSION,
    kind,
    // Custom objects come back as plain JSON lists.
    list: () =>
      custom.listClusterCustomObject({
        group: 'crd.antrea.io',
        version: 'v1beta1',
        plural,
      }) as Promise<KubernetesListObject<KubernetesObject>>,
  });
  return [
    {
      path: '/api/v1/namespaces',
      apiVersion: 'v1',
      kind: 'Namespace',
      list: () => core.listNamespace(),
    },
    {
      path: '/api/v1/pods',
      apiVersion: 'v1',
      kind: 'Pod',
      list: () => core.listPodForAllNamespaces(),
    },
    crd('tiers', 'Tier'),
    crd('clustergroups', 'ClusterGroup'),
    crd('groups', 'Group'),
    {
      path: '/apis/networking.k8s.io/v1/networkpolicies',
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      list: () => net.listNetworkPolicyForAllNamespaces(),
    },
    crd('clusternetworkpolicies', 'ClusterNetworkPolicy'),
    crd('networkpolicies', 'NetworkPolicy'),
  ];
}

/** Starts one informer per input kind; returns when all have listed once, and a stop function. */
export async function startPolicyInformers(
  kc: KubeConfig,
  sink: ObjectSink,
  log: (msg: string) => void,
): Promise<() => void> {
  const informers: Informer<KubernetesObject>[] = [];
  let stopped = false;
  for (const r of resources(kc)) {
    const informer = makeInformer(kc, r.path, r.list);
    // List items carry no apiVersion/kind; the policy computation dispatches on them.
    const typed = (o: KubernetesObject) =>
      ({ ...o, apiVersion: r.apiVersion, kind: r.kind }) as KubeObject;
    informer.on('add', (o) => sink.apply(typed(o)));
    informer.on('update', (o) => sink.apply(typed(o)));
    informer.on('delete', (o) => sink.delete(typed(o)));
    informer.on('error', (err: unknown) => {
      if (stopped) return;
      log(`informer ${r.kind}: ${err instanceof Error ? err.message : String(err)}; restarting`);
      setTimeout(() => void informer.start().catch(() => undefined), 1000);
    });
    informers.push(informer);
  }
  // Policies need their groups and tiers known first; list in the table's order.
  for (const i of informers) await i.start();
  return () => {
    stopped = true;
    for (const i of informers) void i.stop();
  };
}
