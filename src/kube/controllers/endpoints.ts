// The Endpoints controller: for every Service with a selector, an Endpoints object of the same
// name listing the selected pods' IPs and ports (see endpointSubsets.ts), labelled like the
// Service. Services without a selector (such as `kubernetes`) keep Endpoints written by others.
import { isDeepStrictEqual } from 'node:util';
import type { V1Endpoints } from '@kubernetes/client-node';
import type { Endpoints, Pod, Service } from '../../apis/core.js';
import { ignoreNotFound } from './api.js';
import type { Controller, ControllerContext } from './controller.js';
import { endpointSubsets } from './endpointSubsets.js';
import type { Store } from './informers.js';
import { keyOf, splitKey } from './objects.js';
import { WorkQueue } from './workqueue.js';

const HEADLESS_LABEL = 'service.kubernetes.io/headless';

const hasSelector = (svc: Service): boolean => Object.keys(svc.spec?.selector ?? {}).length > 0;

export class EndpointsController implements Controller {
  readonly name = 'endpoints';
  readonly queue = new WorkQueue();
  private readonly services: Store<Service>;
  private readonly pods: Store<Pod>;
  private readonly endpoints: Store<Endpoints>;

  constructor(private readonly ctx: ControllerContext) {
    this.services = ctx.informers.store('services');
    this.pods = ctx.informers.store('pods');
    this.endpoints = ctx.informers.store('endpoints');
    const enqueue = (o: Service | Endpoints): void => this.queue.add(keyOf(o));
    for (const event of ['add', 'update', 'delete'] as const) {
      this.services.on(event, enqueue);
      // Someone else changed or removed an Endpoints object: put ours back.
      this.endpoints.on(event, enqueue);
      // The informer gives no old copy of a pod, so a label change could have moved it out of
      // any Service of its namespace: every selecting Service there looks again.
      this.pods.on(event, (pod) => {
        for (const svc of this.services.list(pod.metadata.namespace ?? ''))
          if (hasSelector(svc)) enqueue(svc);
      });
    }
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(namespace, name);
    const current = this.endpoints.get(namespace, name);
    const { core } = this.ctx.clients;
    if (!svc) {
      if (current) await ignoreNotFound(core.deleteNamespacedEndpoints({ namespace, name }));
      return;
    }
    if (!hasSelector(svc)) return;
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
    const subsets = endpointSubsets(svc, this.pods.list(namespace));
    if (
      current &&
      isDeepStrictEqual(current.subsets ?? [], subsets) &&
      isDeepStrictEqual(current.metadata.labels ?? {}, labels)
    ) {
      return;
    }
    const body = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name,
        namespace,
        labels,
        ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}),
      },
      subsets,
    } as V1Endpoints; // plain JSON of the same shape (our types are readonly)
    // A conflict (409) or a vanished object fails the reconcile; the retry sees the new state.
    if (current) await core.replaceNamespacedEndpoints({ namespace, name, body });
    else await core.createNamespacedEndpoints({ namespace, body });
  }
}
