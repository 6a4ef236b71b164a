// Services, Endpoints and Nodes from the Kubernetes API into the proxier, through
// @kubernetes/client-node informers (list + watch; restarted after an error, as the node
// watcher does). Handlers only hand objects over; the proxier's loop does the work.
import {
  CoreV1Api,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type V1Node,
} from '@kubernetes/client-node';
import type { Endpoints, Service } from '../../apis/core.js';
import type { Proxier } from './proxier.js';

const RESTART_MS = 1000;

function internalIP(n: V1Node): string | undefined {
  return n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

/** Starts the three informers; resolves after their initial lists, returns their stop. */
export async function startServiceInformers(
  kc: KubeConfig,
  proxier: Proxier,
  log: (msg: string) => void,
): Promise<() => void> {
  const core = kc.makeApiClient(CoreV1Api);
  const services = makeInformer(kc, '/api/v1/services', () => core.listServiceForAllNamespaces());
  // The client's V1 classes have the fields of the API's JSON, which src/apis/core.ts types.
  services.on('add', (s) => proxier.upsertService(s as Service));
  services.on('update', (s) => proxier.upsertService(s as Service));
  services.on('delete', (s) =>
    proxier.deleteService(s.metadata?.namespace ?? '', s.metadata?.name ?? ''),
  );
  const endpoints = makeInformer(kc, '/api/v1/endpoints', () =>
    core.listEndpointsForAllNamespaces(),
  );
  endpoints.on('add', (e) => proxier.upsertEndpoints(e as Endpoints));
  endpoints.on('update', (e) => proxier.upsertEndpoints(e as Endpoints));
  endpoints.on('delete', (e) =>
    proxier.deleteEndpoints(e.metadata?.namespace ?? '', e.metadata?.name ?? ''),
  );
  const nodes = makeInformer(kc, '/api/v1/nodes', () => core.listNode());
  nodes.on('add', (n) => proxier.upsertNode(n.metadata?.name ?? '', internalIP(n)));
  nodes.on('update', (n) => proxier.upsertNode(n.metadata?.name ?? '', internalIP(n)));
  nodes.on('delete', (n) => proxier.deleteNode(n.metadata?.name ?? ''));
  const informers: Informer<KubernetesObject>[] = [services, endpoints, nodes];
  let stopped = false;
  for (const inf of informers) {
    inf.on('error', (e: unknown) => {
      if (stopped) return;
      log(`proxy informer: ${String(e)}; restarting`);
      setTimeout(() => void inf.start().catch(() => undefined), RESTART_MS);
    });
  }
  await Promise.all(informers.map((inf) => inf.start()));
  return () => {
    stopped = true;
    for (const inf of informers) void inf.stop();
  };
}
