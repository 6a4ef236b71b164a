// The ReplicaSet controller: keeps spec.replicas active pods made from the template (named
// `<replicaset>-<5 random>` by the API server's generateName, owned by the ReplicaSet with
// controller: true) and reports replicas/ready/available in status.
import type { ReplicaSet } from '../../apis/apps.js';
import type { Pod } from '../../apis/core.js';
import { describeError, ignoreNotFound, isNotFound, MERGE_PATCH } from './api.js';
import { statusChanged, type Controller, type ControllerContext } from './controller.js';
import { Expectations } from './expectations.js';
import type { Store } from './informers.js';
import {
  controllerKey,
  controllerRef,
  isControlledBy,
  isPodActive,
  isTerminating,
  keyOf,
  splitKey,
} from './objects.js';
import { podFromTemplate } from './podTemplate.js';
import { podsToDelete, replicaSetStatus } from './replicaSetPlan.js';
import { WorkQueue } from './workqueue.js';

/** At most this many pod creates or deletes per reconcile (kube: 500). */
const BURST = 100;

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  readonly queue = new WorkQueue();
  private readonly replicaSets: Store<ReplicaSet>;
  private readonly pods: Store<Pod>;
  private readonly expectations: Expectations;

  constructor(private readonly ctx: ControllerContext) {
    this.expectations = new Expectations(ctx.now);
    this.replicaSets = ctx.informers.store('replicasets');
    this.pods = ctx.informers.store('pods');
    const enqueue = (rs: ReplicaSet): void => this.queue.add(keyOf(rs));
    this.replicaSets.on('add', enqueue);
    this.replicaSets.on('update', enqueue);
    this.replicaSets.on('delete', enqueue);
    this.pods.on('add', (pod) => {
      const key = controllerKey(pod, 'ReplicaSet');
      if (key) this.expectations.observeAdd(key);
      this.onPod(pod);
    });
    this.pods.on('update', (pod) => {
      // A pod being deleted counts as gone (it no longer counts as active).
      const key = controllerKey(pod, 'ReplicaSet');
      if (key && isTerminating(pod)) this.expectations.observeDelete(key, keyOf(pod));
      this.onPod(pod);
    });
    this.pods.on('delete', (pod) => {
      const key = controllerKey(pod, 'ReplicaSet');
      if (key) this.expectations.observeDelete(key, keyOf(pod));
      this.onPod(pod);
    });
  }

  private onPod(pod: Pod): void {
    const key = controllerKey(pod, 'ReplicaSet');
    if (key) this.queue.add(key);
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const rs = this.replicaSets.get(namespace, name);
    if (!rs) {
      this.expectations.forget(key);
      return;
    }
    const active = this.pods.list(namespace).filter((p) => isControlledBy(p, rs) && isPodActive(p));
    // A ReplicaSet being deleted makes no new pods: the garbage collector is removing them.
    if (!isTerminating(rs) && this.expectations.satisfied(key)) {
      await this.manage(key, rs, active);
    }
    const { status, recheckInMs } = replicaSetStatus(rs, active, this.ctx.now());
    if (recheckInMs !== undefined) this.queue.addAfter(key, recheckInMs);
    if (!statusChanged(rs.status, status)) return;
    await ignoreNotFound(
      this.ctx.clients.apps.patchNamespacedReplicaSetStatus(
        { namespace, name, body: { status } },
        MERGE_PATCH,
      ),
    );
  }

  private async manage(key: string, rs: ReplicaSet, active: readonly Pod[]): Promise<void> {
    const diff = active.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) await this.create(key, rs, Math.min(-diff, BURST));
    else if (diff > 0) await this.remove(key, podsToDelete(active, Math.min(diff, BURST)));
  }

  private async create(key: string, rs: ReplicaSet, count: number): Promise<void> {
    const namespace = rs.metadata.namespace ?? '';
    const body = podFromTemplate(rs.spec?.template, {
      namespace,
      generateName: `${rs.metadata.name ?? ''}-`,
      owner: controllerRef(rs, 'apps/v1', 'ReplicaSet'),
    });
    this.expectations.expect(key, count);
    const results = await Promise.allSettled(
      Array.from({ length: count }, () =>
        this.ctx.clients.core.createNamespacedPod({ namespace, body }),
      ),
    );
    this.settle(key, results, () => this.expectations.observeAdd(key));
  }

  private async remove(key: string, victims: readonly Pod[]): Promise<void> {
    this.expectations.expect(key, 0, victims.map(keyOf));
    const results = await Promise.allSettled(
      victims.map((p) =>
        this.ctx.clients.core.deleteNamespacedPod({
          namespace: p.metadata.namespace ?? '',
          name: p.metadata.name ?? '',
        }),
      ),
    );
    this.settle(key, results, (i) => this.expectations.observeDelete(key, keyOf(victims[i]!)));
  }

  /**
   * A write that failed shows no event: stop expecting it. A delete that found the pod gone
   * is done; any other failure fails the reconcile, which is retried.
   */
  private settle(
    key: string,
    results: readonly PromiseSettledResult<unknown>[],
    unexpect: (i: number) => void,
  ): void {
    const errors: unknown[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      unexpect(i);
      if (!isNotFound(r.reason)) errors.push(r.reason);
    });
    if (errors.length > 0) {
      throw new Error(
        `${key}: ${errors.length} of ${results.length} pod writes failed: ${describeError(errors[0])}`,
      );
    }
  }
}
