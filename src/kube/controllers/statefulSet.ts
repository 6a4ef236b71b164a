// The StatefulSet controller: pods `<set>-0`, `<set>-1`… with stable names (hostname = pod
// name, subdomain = spec.serviceName), created in order and removed from the top, owned by the
// StatefulSet with controller: true; a template change replaces them from the highest ordinal.
import type { StatefulSet } from '../../apis/apps.js';
import type { Pod } from '../../apis/core.js';
import { ignoreNotFound, isConflict, MERGE_PATCH } from './api.js';
import { statusChanged, type Controller, type ControllerContext } from './controller.js';
import { queueOnChanges, type Store } from './informers.js';
import { controllerRef, isControlledBy, isTerminating, splitKey } from './objects.js';
import { podFromTemplate } from './podTemplate.js';
import {
  POD_INDEX_LABEL,
  POD_NAME_LABEL,
  REVISION_LABEL,
  planStatefulSet,
  statefulSetStatus,
} from './statefulSetPlan.js';
import { templateHash } from './templateHash.js';
import { WorkQueue } from './workqueue.js';

export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  readonly queue = new WorkQueue();
  private readonly sets: Store<StatefulSet>;
  private readonly pods: Store<Pod>;

  constructor(private readonly ctx: ControllerContext) {
    this.sets = ctx.informers.store('statefulsets');
    this.pods = ctx.informers.store('pods');
    queueOnChanges(this.queue, this.sets, this.pods, 'StatefulSet');
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const sts = this.sets.get(namespace, name);
    if (!sts || isTerminating(sts)) return;
    const pods = this.pods.list(namespace).filter((p) => isControlledBy(p, sts));
    const revision = `${name}-${templateHash(sts.spec?.template)}`;
    const actions = planStatefulSet(sts, pods, revision);
    const { core, apps } = this.ctx.clients;
    await Promise.all([
      ...actions.create.map((i) => this.createPod(sts, i, revision)),
      ...actions.delete.map((p) =>
        ignoreNotFound(core.deleteNamespacedPod({ namespace, name: p.metadata.name ?? '' })),
      ),
    ]);
    const { status, recheckInMs } = statefulSetStatus(sts, pods, revision, this.ctx.now());
    if (recheckInMs !== undefined) this.queue.addAfter(key, recheckInMs);
    if (!statusChanged(sts.status, status)) return;
    await ignoreNotFound(
      apps.patchNamespacedStatefulSetStatus({ namespace, name, body: { status } }, MERGE_PATCH),
    );
  }

  private async createPod(sts: StatefulSet, ordinal: number, revision: string): Promise<void> {
    const namespace = sts.metadata.namespace ?? '';
    const name = `${sts.metadata.name ?? ''}-${ordinal}`;
    const template = sts.spec?.template ?? {};
    const serviceName = sts.spec?.serviceName;
    const body = podFromTemplate(
      {
        ...template,
        spec: {
          containers: [],
          ...template.spec,
          hostname: name,
          ...(serviceName ? { subdomain: serviceName } : {}),
        },
      },
      {
        namespace,
        name,
        extraLabels: {
          [REVISION_LABEL]: revision,
          [POD_NAME_LABEL]: name,
          [POD_INDEX_LABEL]: String(ordinal),
        },
        owner: controllerRef(sts, 'apps/v1', 'StatefulSet'),
      },
    );
    try {
      await this.ctx.clients.core.createNamespacedPod({ namespace, body });
    } catch (err) {
      // The pod exists and the cache has not shown it yet: the next event brings it.
      if (!isConflict(err)) throw err;
    }
  }
}
