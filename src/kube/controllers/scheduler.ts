// The scheduler: binds each pending pod (no spec.nodeName, schedulerName default-scheduler) to
// the fitting node with the fewest pods. The embedded API server has no pods/binding
// subresource, so binding is a conditional patch of spec.nodeName (it fails with 409 if the
// pod changed meanwhile), followed by the PodScheduled condition. A pod that fits nowhere gets
// PodScheduled=False with kube's message, and is retried when a node changes.
import type { Node, Pod } from '../../apis/core.js';
import { ignoreNotFound, MERGE_PATCH, STRATEGIC_PATCH } from './api.js';
import { timestamp, type Controller, type ControllerContext } from './controller.js';
import type { Store } from './informers.js';
import { isPodActive, keyOf, splitKey } from './objects.js';
import { placePod } from './schedulePlan.js';
import { WorkQueue } from './workqueue.js';

const SCHEDULER_NAME = 'default-scheduler';

function needsScheduling(pod: Pod): boolean {
  const scheduler = pod.spec?.schedulerName ?? SCHEDULER_NAME;
  return !pod.spec?.nodeName && scheduler === SCHEDULER_NAME && isPodActive(pod);
}

export class Scheduler implements Controller {
  readonly name = 'scheduler';
  readonly queue = new WorkQueue();
  private readonly pods: Store<Pod>;
  private readonly nodes: Store<Node>;
  /**
   * Pods bound by this scheduler that the cache does not show bound yet (kube's "assumed
   * pods"): counted on their node so that a burst of pods spreads instead of piling up.
   */
  private readonly assumed = new Map<string, string>();

  constructor(private readonly ctx: ControllerContext) {
    this.pods = ctx.informers.store('pods');
    this.nodes = ctx.informers.store('nodes');
    const onPod = (pod: Pod): void => {
      if (pod.spec?.nodeName) this.assumed.delete(keyOf(pod));
      if (needsScheduling(pod)) this.queue.add(keyOf(pod));
    };
    this.pods.on('add', onPod);
    this.pods.on('update', onPod);
    this.pods.on('delete', (pod) => this.assumed.delete(keyOf(pod)));
    const onNode = (): void => {
      for (const pod of this.pods.list()) if (needsScheduling(pod)) this.queue.add(keyOf(pod));
    };
    this.nodes.on('add', onNode);
    this.nodes.on('update', onNode);
    this.nodes.on('delete', onNode);
  }

  private podCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    const add = (node: string): void => void counts.set(node, (counts.get(node) ?? 0) + 1);
    for (const pod of this.pods.list()) {
      const node = pod.spec?.nodeName ?? this.assumed.get(keyOf(pod));
      if (node && isPodActive(pod)) add(node);
    }
    return counts;
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    if (!pod || !needsScheduling(pod) || this.assumed.has(key)) return;
    const counts = this.podCounts();
    const placement = placePod(pod, this.nodes.list(), (node) => counts.get(node) ?? 0);
    const { core } = this.ctx.clients;
    if (placement.node === undefined) {
      const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
      if (current?.status === 'False' && current.message === placement.message) return;
      const condition = {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: placement.message,
      };
      await this.setCondition(namespace, name, condition);
      return;
    }
    const body = {
      metadata: { resourceVersion: pod.metadata.resourceVersion },
      spec: { nodeName: placement.node },
    };
    this.assumed.set(key, placement.node);
    try {
      await core.patchNamespacedPod({ namespace, name, body }, MERGE_PATCH);
    } catch (err) {
      this.assumed.delete(key);
      throw err;
    }
    // null removes the reason and message a former Unschedulable condition left.
    await this.setCondition(namespace, name, {
      type: 'PodScheduled',
      status: 'True',
      reason: null,
      message: null,
    });
  }

  /** Strategic merge: the condition list merges by type, leaving the kubelet's conditions be. */
  private async setCondition(
    namespace: string,
    name: string,
    condition: Record<string, string | null>,
  ): Promise<void> {
    const body = {
      status: { conditions: [{ ...condition, lastTransitionTime: timestamp(this.ctx.now()) }] },
    };
    await ignoreNotFound(
      this.ctx.clients.core.patchNamespacedPodStatus({ namespace, name, body }, STRATEGIC_PATCH),
    );
  }
}
