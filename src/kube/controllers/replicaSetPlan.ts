// The decisions of the ReplicaSet controller, as pure functions: which pods go first when
// scaling down, and the status a ReplicaSet reports for its pods.
import type { ReplicaSet } from '../../apis/apps.js';
import type { Pod } from '../../apis/core.js';
import { isPodReady, podAvailability } from './objects.js';

const PHASE_RANK: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

function creation(p: Pod): number {
  const t = Date.parse(p.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/**
 * kube's ActivePods order, the pods least worth keeping first: not yet scheduled, then by
 * phase (Pending, Unknown, Running), not ready before ready, newest before oldest.
 */
function deletionOrder(a: Pod, b: Pod): number {
  const scheduled = (p: Pod): number => (p.spec?.nodeName ? 1 : 0);
  const phase = (p: Pod): number => PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 0;
  const ready = (p: Pod): number => (isPodReady(p) ? 1 : 0);
  return (
    scheduled(a) - scheduled(b) ||
    phase(a) - phase(b) ||
    ready(a) - ready(b) ||
    creation(b) - creation(a) ||
    (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')
  );
}

export function podsToDelete(pods: readonly Pod[], count: number): Pod[] {
  return [...pods].sort(deletionOrder).slice(0, Math.max(0, count));
}

export type ReplicaSetStatus = NonNullable<ReplicaSet['status']>;

/**
 * The status of a ReplicaSet whose active pods are `pods`; `recheckInMs` when a ready pod
 * becomes available later (minReadySeconds) and the status must be looked at again then.
 */
export function replicaSetStatus(
  rs: ReplicaSet,
  pods: readonly Pod[],
  now: number,
): { status: ReplicaSetStatus; recheckInMs?: number } {
  const templateLabels = Object.entries(rs.spec?.template?.metadata?.labels ?? {});
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  let recheckInMs: number | undefined;
  for (const p of pods) {
    if (templateLabels.every(([k, v]) => p.metadata.labels?.[k] === v)) fullyLabeled++;
    if (isPodReady(p)) ready++;
    const a = podAvailability(p, minReady, now);
    if (a.available) available++;
    else if (a.availableInMs !== undefined)
      recheckInMs = Math.min(recheckInMs ?? Infinity, a.availableInMs);
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 0,
  };
  return recheckInMs === undefined ? { status } : { status, recheckInMs };
}
