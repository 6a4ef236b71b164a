// The decisions of the StatefulSet controller, as pure functions: which ordinal pods to create
// or delete next (OrderedReady: one at a time, each after its predecessors are Running and
// Ready; Parallel: all at once), which outdated pod a rolling update replaces, and the status.
import type { StatefulSet } from '../../apis/apps.js';
import type { Pod } from '../../apis/core.js';
import { isPodReady, isTerminating, podAvailability } from './objects.js';

export const REVISION_LABEL = 'controller-revision-hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

function ordinalOf(setName: string, podName: string): number | undefined {
  if (!podName.startsWith(`${setName}-`)) return undefined;
  const rest = podName.slice(setName.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

export interface StatefulSetActions {
  /** Ordinals to create. */
  readonly create: number[];
  readonly delete: Pod[];
}

const finished = (p: Pod): boolean =>
  p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
const healthy = (p: Pod): boolean =>
  p.status?.phase === 'Running' && isPodReady(p) && !isTerminating(p);

/** The next step towards spec.replicas pods `<name>-0…` at `updateRevision`. */
export function planStatefulSet(
  sts: StatefulSet,
  pods: readonly Pod[],
  updateRevision: string,
): StatefulSetActions {
  const name = sts.metadata.name ?? '';
  const replicas = sts.spec?.replicas ?? 1;
  const ordered = sts.spec?.podManagementPolicy !== 'Parallel';
  const byOrdinal = new Map<number, Pod>();
  for (const p of pods) {
    const i = ordinalOf(name, p.metadata.name ?? '');
    if (i !== undefined) byOrdinal.set(i, p);
  }
  const actions: StatefulSetActions = { create: [], delete: [] };

  // A failed pod is deleted, and made again on a later pass (kube does the same).
  for (const p of byOrdinal.values()) if (finished(p) && !isTerminating(p)) actions.delete.push(p);
  if (actions.delete.length > 0) return actions;

  let allHealthy = true;
  for (let i = 0; i < replicas; i++) {
    const p = byOrdinal.get(i);
    if (!p) actions.create.push(i);
    if (!p || !healthy(p)) {
      allHealthy = false;
      if (ordered) break;
    }
  }
  if (actions.create.length > 0 || (ordered && !allHealthy)) return actions;

  // Scale down: the highest ordinal first; in order, one at a time.
  const condemned = [...byOrdinal.entries()]
    .filter(([i]) => i >= replicas)
    .sort(([a], [b]) => b - a)
    .map(([, p]) => p);
  if (condemned.length > 0) {
    if (!ordered) actions.delete.push(...condemned.filter((p) => !isTerminating(p)));
    else if (!condemned.some(isTerminating)) actions.delete.push(condemned[0]!);
    return actions;
  }

  // Rolling update: with every pod healthy, replace the highest outdated one at or above the partition.
  if (sts.spec?.updateStrategy?.type === 'OnDelete' || !allHealthy) return actions;
  const partition = sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let i = replicas - 1; i >= partition; i--) {
    const p = byOrdinal.get(i)!;
    if (p.metadata.labels?.[REVISION_LABEL] !== updateRevision) {
      actions.delete.push(p);
      break;
    }
  }
  return actions;
}

export type StatefulSetStatus = NonNullable<StatefulSet['status']>;

export function statefulSetStatus(
  sts: StatefulSet,
  pods: readonly Pod[],
  updateRevision: string,
  now: number,
): { status: StatefulSetStatus; recheckInMs?: number } {
  const live = pods.filter((p) => !finished(p));
  const minReady = sts.spec?.minReadySeconds ?? 0;
  let available = 0;
  let recheckInMs: number | undefined;
  for (const p of live) {
    const a = podAvailability(p, minReady, now);
    if (a.available) available++;
    else if (a.availableInMs !== undefined)
      recheckInMs = Math.min(recheckInMs ?? Infinity, a.availableInMs);
  }
  const revisionCount = (rev: string): number =>
    live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === rev).length;
  const updated = revisionCount(updateRevision);
  // The current revision moves to the update revision once every replica runs it.
  const previous = sts.status?.currentRevision || updateRevision;
  const current =
    updated === (sts.spec?.replicas ?? 1) && updated === live.length ? updateRevision : previous;
  const status: StatefulSetStatus = {
    observedGeneration: sts.metadata.generation ?? 0,
    replicas: live.length,
    readyReplicas: live.filter(isPodReady).length,
    currentReplicas: revisionCount(current),
    updatedReplicas: updated,
    availableReplicas: available,
    currentRevision: current,
    updateRevision,
    collisionCount: 0,
  };
  return recheckInMs === undefined ? { status } : { status, recheckInMs };
}
