// The Deployment controller: runs the template in a ReplicaSet named
// `<deployment>-<pod-template-hash>` (so pods are `<deployment>-<hash>-<5 random>`), owned by
// the Deployment with controller: true. A template change makes a new ReplicaSet and moves
// the replicas over (RollingUpdate within maxSurge/maxUnavailable, or Recreate); a scale
// changes the current one. Old empty ReplicaSets beyond revisionHistoryLimit are deleted.
import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { Deployment, ReplicaSet } from '../../apis/apps.js';
import { ignoreNotFound, isConflict, MERGE_PATCH, toPlain } from './api.js';
import { statusChanged, timestamp, type Controller, type ControllerContext } from './controller.js';
import {
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  POD_TEMPLATE_HASH,
  REVISION,
  deploymentStatus,
  fenceposts,
  newReplicaSetSize,
  oldReplicaSetSizes,
  revisionOf,
  runsTemplate,
  scaleOf,
} from './deploymentPlan.js';
import { queueOnChanges, type Store } from './informers.js';
import { controllerRef, isControlledBy, isTerminating, splitKey } from './objects.js';
import { templateHash } from './templateHash.js';
import { WorkQueue } from './workqueue.js';

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  readonly queue = new WorkQueue();
  private readonly deployments: Store<Deployment>;
  private readonly replicaSets: Store<ReplicaSet>;

  constructor(private readonly ctx: ControllerContext) {
    this.deployments = ctx.informers.store('deployments');
    this.replicaSets = ctx.informers.store('replicasets');
    queueOnChanges(this.queue, this.deployments, this.replicaSets, 'Deployment');
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const d = this.deployments.get(namespace, name);
    if (!d || isTerminating(d)) return;
    const owned = this.replicaSets
      .list(namespace)
      .filter((rs) => isControlledBy(rs, d))
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    const next = owned.find((rs) => runsTemplate(rs, d.spec?.template));
    const olds = owned.filter((rs) => rs !== next);
    if (!d.spec?.paused) await this.rollout(d, next, olds);
    await this.cleanup(d, olds);
    await this.annotateRevision(d, next);
    const status = deploymentStatus(d, next, owned, timestamp(this.ctx.now()));
    if (!statusChanged(d.status, status)) return;
    await ignoreNotFound(
      this.ctx.clients.apps.patchNamespacedDeploymentStatus(
        { namespace, name, body: { status } },
        MERGE_PATCH,
      ),
    );
  }

  private async rollout(
    d: Deployment,
    next: ReplicaSet | undefined,
    olds: readonly ReplicaSet[],
  ): Promise<void> {
    const desired = d.spec?.replicas ?? 1;
    const revision = Math.max(0, ...olds.map(revisionOf)) + 1;
    const { surge, unavailable } = fenceposts(d);
    if (d.spec?.strategy?.type === 'Recreate') {
      // Every old pod goes before a new one starts.
      const running = olds.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
      if (running.length > 0) {
        await Promise.all(running.map((rs) => this.scale(rs, 0, desired, desired)));
        return;
      }
      if (olds.some((rs) => (rs.status?.replicas ?? 0) > 0)) return;
      if (!next) await this.createReplicaSet(d, desired, revision);
      else await this.scale(next, desired, desired, desired, revision);
      return;
    }
    const oldScales = olds.map(scaleOf);
    if (!next) {
      await this.createReplicaSet(d, newReplicaSetSize(desired, surge, 0, oldScales), revision);
      return;
    }
    const size = newReplicaSetSize(desired, surge, next.spec?.replicas ?? 0, oldScales);
    if (size !== (next.spec?.replicas ?? 0) || revisionOf(next) < revision) {
      await this.scale(next, size, desired, desired + surge, revision);
      return;
    }
    const shrink = oldReplicaSetSizes(desired, unavailable, scaleOf(next), oldScales);
    await Promise.all(
      olds
        .filter((rs) => shrink.has(rs.metadata.name ?? ''))
        .map((rs) => this.scale(rs, shrink.get(rs.metadata.name ?? '')!, desired, desired + surge)),
    );
  }

  /** Sets a ReplicaSet's size (and, for the current one, its revision), as one merge patch. */
  private async scale(
    rs: ReplicaSet,
    replicas: number,
    desired: number,
    max: number,
    revision?: number,
  ): Promise<void> {
    const annotations: Record<string, string> = {
      [DESIRED_REPLICAS]: String(desired),
      [MAX_REPLICAS]: String(max),
    };
    if (revision !== undefined && revisionOf(rs) < revision)
      annotations[REVISION] = String(revision);
    const current = rs.metadata.annotations ?? {};
    const same = Object.entries(annotations).every(([k, v]) => current[k] === v);
    if (same && (rs.spec?.replicas ?? 0) === replicas) return;
    const body = { metadata: { annotations }, spec: { replicas } };
    const ref = { namespace: rs.metadata.namespace ?? '', name: rs.metadata.name ?? '' };
    await ignoreNotFound(
      this.ctx.clients.apps.patchNamespacedReplicaSet({ ...ref, body }, MERGE_PATCH),
    );
  }

  private async createReplicaSet(d: Deployment, replicas: number, revision: number): Promise<void> {
    const namespace = d.metadata.namespace ?? '';
    const template = d.spec?.template ?? {};
    const hash = templateHash(template, d.status?.collisionCount);
    const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const selector = d.spec?.selector ?? {};
    const { surge } = fenceposts(d);
    const desired = d.spec?.replicas ?? 1;
    const body = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name ?? ''}-${hash}`,
        namespace,
        labels,
        annotations: {
          [REVISION]: String(revision),
          [DESIRED_REPLICAS]: String(desired),
          [MAX_REPLICAS]: String(desired + surge),
        },
        ownerReferences: [controllerRef(d, 'apps/v1', 'Deployment')],
      },
      spec: {
        replicas,
        ...(d.spec?.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}),
        selector: {
          ...selector,
          matchLabels: { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash },
        },
        template: { ...template, metadata: { ...(template.metadata ?? {}), labels } },
      },
    };
    try {
      // The body is the API's own JSON plus fresh metadata; the typed client serializes it.
      await this.ctx.clients.apps.createNamespacedReplicaSet({
        namespace,
        body: body as unknown as V1ReplicaSet,
      });
    } catch (err) {
      if (!isConflict(err)) throw err;
      await this.onNameTaken(d, body.metadata.name);
    }
  }

  /**
   * The name exists: either our own ReplicaSet that the cache has not shown yet (nothing to
   * do), or a hash collision with another template, which kube resolves by bumping
   * status.collisionCount so the next hash differs.
   */
  private async onNameTaken(d: Deployment, rsName: string): Promise<void> {
    const namespace = d.metadata.namespace ?? '';
    const existing = toPlain<ReplicaSet>(
      await this.ctx.clients.apps.readNamespacedReplicaSet({ namespace, name: rsName }),
    );
    if (isControlledBy(existing, d) && runsTemplate(existing, d.spec?.template)) return;
    const collisionCount = (d.status?.collisionCount ?? 0) + 1;
    await this.ctx.clients.apps.patchNamespacedDeploymentStatus(
      { namespace, name: d.metadata.name ?? '', body: { status: { collisionCount } } },
      MERGE_PATCH,
    );
    throw new Error(
      `ReplicaSet ${namespace}/${rsName} exists with another template; collisionCount is now ${collisionCount}`,
    );
  }

  /** The Deployment shows its current revision, as `kubectl describe` and `rollout history` expect. */
  private async annotateRevision(d: Deployment, next: ReplicaSet | undefined): Promise<void> {
    const revision = next ? String(revisionOf(next)) : undefined;
    if (!revision || revision === '0' || d.metadata.annotations?.[REVISION] === revision) return;
    const body = { metadata: { annotations: { [REVISION]: revision } } };
    const ref = { namespace: d.metadata.namespace ?? '', name: d.metadata.name ?? '' };
    await ignoreNotFound(
      this.ctx.clients.apps.patchNamespacedDeployment({ ...ref, body }, MERGE_PATCH),
    );
  }

  /** Deletes the oldest empty ReplicaSets beyond spec.revisionHistoryLimit (kube's default 10). */
  private async cleanup(d: Deployment, olds: readonly ReplicaSet[]): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const empty = olds.filter(
      (rs) =>
        (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0 && !isTerminating(rs),
    );
    const excess = empty.slice(0, Math.max(0, empty.length - limit));
    await Promise.all(
      excess.map((rs) =>
        ignoreNotFound(
          this.ctx.clients.apps.deleteNamespacedReplicaSet({
            namespace: rs.metadata.namespace ?? '',
            name: rs.metadata.name ?? '',
          }),
        ),
      ),
    );
  }
}
