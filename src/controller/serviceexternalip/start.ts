// ServiceExternalIP in antrea-controller: Services from an informer into the controller, which
// writes LoadBalancer IPs through the status subresource, as kube's cloud provider would.
import { CoreV1Api, makeInformer, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import type { Service } from '../../apis/core.js';
import { ServiceExternalIPController } from './controller.js';
import { DEFAULT_POOL_CIDR } from './pool.js';

const RESTART_MS = 1000;

export async function startServiceExternalIPController(
  kc: KubeConfig,
  log: (msg: string) => void,
  cidr = DEFAULT_POOL_CIDR,
): Promise<{ stop(): void }> {
  const core = kc.makeApiClient(CoreV1Api);
  const controller = new ServiceExternalIPController(
    cidr,
    async (svc, ip) => {
      const body = {
        ...svc,
        status: { ...svc.status, loadBalancer: ip === undefined ? {} : { ingress: [{ ip }] } },
      } as V1Service; // plain JSON of the same shape (our types are readonly)
      const stored = await core.replaceNamespacedServiceStatus({
        namespace: svc.metadata.namespace ?? '',
        name: svc.metadata.name ?? '',
        body,
      });
      return stored as Service;
    },
    log,
  );
  const informer = makeInformer(kc, '/api/v1/services', () => core.listServiceForAllNamespaces());
  // The client's V1Service has the fields of the API's JSON, which src/apis/core.ts types.
  informer.on('add', (s) => controller.upsert(s as Service));
  informer.on('update', (s) => controller.upsert(s as Service));
  informer.on('delete', (s) => controller.delete(s as Service));
  let stopped = false;
  informer.on('error', (e: unknown) => {
    if (stopped) return;
    log(`LoadBalancer IPs: Service informer: ${String(e)}; restarting`);
    setTimeout(() => void informer.start().catch(() => undefined), RESTART_MS);
  });
  await informer.start();
  log(`LoadBalancer IPs from ${cidr}`);
  return {
    stop: () => {
      stopped = true;
      controller.stop();
      void informer.stop();
    },
  };
}
