// The decisions of the Deployment controller, as pure functions (kube's deployment/util):
// which ReplicaSet is the template's, how far a rolling update may scale the new one up and
// the old ones down (maxSurge/maxUnavailable), and the status the Deployment reports.
import type {
  Deployment,
  PodTemplateSpec,
  ReplicaSet,
  WorkloadCondition,
} from '../../apis/apps.js';
import type { IntOrString } from '../../apis/meta.js';
import { canonicalJson } from './templateHash.js';

export const POD_TEMPLATE_HASH = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';

export function revisionOf(rs: ReplicaSet): number {
  const n = Number(rs.metadata.annotations?.[REVISION] ?? 0);
  return Number.isInteger(n) ? n : 0;
}

/** Whether the ReplicaSet runs this template (its own pod-template-hash label aside). */
export function runsTemplate(rs: ReplicaSet, template: PodTemplateSpec | undefined): boolean {
  const rsTemplate = rs.spec?.template ?? {};
  const { [POD_TEMPLATE_HASH]: _hash, ...labels } = rsTemplate.metadata?.labels ?? {};
  const meta = { ...(rsTemplate.metadata ?? {}), labels };
  const want = template ?? {};
  const wantMeta = { ...(want.metadata ?? {}), labels: want.metadata?.labels ?? {} };
  return (
    canonicalJson({ ...rsTemplate, metadata: meta }) ===
    canonicalJson({ ...want, metadata: wantMeta })
  );
}

/** An int, or a percentage of `total` rounded up (surge) or down (unavailable). */
function scaledValue(v: IntOrString, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v) || 0;
  const exact = (total * Number(m[1])) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * maxSurge and maxUnavailable in pods (kube's defaults 25%); both zero would stall a rolling
 * update, so unavailable becomes 1. Recreate has neither.
 */
export function fenceposts(d: Deployment): { surge: number; unavailable: number } {
  if (d.spec?.strategy?.type === 'Recreate') return { surge: 0, unavailable: 0 };
  const desired = d.spec?.replicas ?? 1;
  const ru = d.spec?.strategy?.rollingUpdate;
  const surge = scaledValue(ru?.maxSurge ?? '25%', desired, true);
  const unavailable = scaledValue(ru?.maxUnavailable ?? '25%', desired, false);
  return { surge, unavailable: surge === 0 && unavailable === 0 ? 1 : unavailable };
}

export interface Scale {
  readonly name: string;
  readonly replicas: number;
  readonly available: number;
}

export function scaleOf(rs: ReplicaSet): Scale {
  return {
    name: rs.metadata.name ?? '',
    replicas: rs.spec?.replicas ?? 0,
    available: rs.status?.availableReplicas ?? 0,
  };
}

/** kube's NewRSNewReplicas: grow the new ReplicaSet as far as maxSurge allows. */
export function newReplicaSetSize(
  desired: number,
  surge: number,
  current: number,
  olds: readonly Scale[],
): number {
  if (current >= desired) return desired;
  const total = current + olds.reduce((n, rs) => n + rs.replicas, 0);
  const room = desired + surge - total;
  return room <= 0 ? current : current + Math.min(room, desired - current);
}

/**
 * kube's reconcileOldReplicaSets: shrink the old ReplicaSets (oldest first) while at least
 * desired - maxUnavailable pods stay available; unhealthy replicas go before healthy ones.
 * Returns the new size of each old ReplicaSet that changes.
 */
export function oldReplicaSetSizes(
  desired: number,
  unavailable: number,
  next: Scale,
  olds: readonly Scale[],
): Map<string, number> {
  const sizes = new Map(olds.map((rs) => [rs.name, rs.replicas]));
  const all = next.replicas + olds.reduce((n, rs) => n + rs.replicas, 0);
  const minAvailable = desired - unavailable;
  let budget = all - minAvailable - (next.replicas - next.available);
  if (budget <= 0) return new Map();
  for (const rs of olds) {
    const unhealthy = Math.min(sizes.get(rs.name)! - rs.available, budget);
    if (unhealthy <= 0) continue;
    sizes.set(rs.name, sizes.get(rs.name)! - unhealthy);
    budget -= unhealthy;
  }
  let excess =
    next.available +
    olds.reduce((n, rs) => n + Math.min(rs.available, sizes.get(rs.name)!), 0) -
    minAvailable;
  for (const rs of olds) {
    if (excess <= 0) break;
    const cut = Math.min(sizes.get(rs.name)!, excess);
    sizes.set(rs.name, sizes.get(rs.name)! - cut);
    excess -= cut;
  }
  return new Map(
    [...sizes].filter(([name, n]) => olds.find((rs) => rs.name === name)!.replicas !== n),
  );
}

function condition(
  prev: readonly WorkloadCondition[] | undefined,
  next: Omit<WorkloadCondition, 'lastUpdateTime' | 'lastTransitionTime'>,
  now: string,
): WorkloadCondition {
  const old = prev?.find((c) => c.type === next.type);
  if (
    old &&
    old.status === next.status &&
    old.reason === next.reason &&
    old.message === next.message
  )
    return old;
  const since = old && old.status === next.status ? (old.lastTransitionTime ?? now) : now;
  return { ...next, lastUpdateTime: now, lastTransitionTime: since };
}

export type DeploymentStatus = NonNullable<Deployment['status']>;

/** The Deployment's status from its ReplicaSets' (`next` is the one running its template). */
export function deploymentStatus(
  d: Deployment,
  next: ReplicaSet | undefined,
  all: readonly ReplicaSet[],
  now: string,
): DeploymentStatus {
  const desired = d.spec?.replicas ?? 1;
  const sum = (f: (rs: ReplicaSet) => number | undefined): number =>
    all.reduce((n, rs) => n + (f(rs) ?? 0), 0);
  const replicas = sum((rs) => rs.status?.replicas);
  const updated = next?.status?.replicas ?? 0;
  const available = sum((rs) => rs.status?.availableReplicas);
  const { unavailable } = fenceposts(d);
  const minimum = available >= desired - unavailable;
  const prev = d.status?.conditions;
  const conditions: WorkloadCondition[] = [
    condition(
      prev,
      minimum
        ? {
            type: 'Available',
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: 'Deployment has minimum availability.',
          }
        : {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
          },
      now,
    ),
  ];
  if (next) {
    const done = updated === desired && replicas === desired && available >= desired;
    const rsName = next.metadata.name ?? '';
    conditions.push(
      condition(
        prev,
        done
          ? {
              type: 'Progressing',
              status: 'True',
              reason: 'NewReplicaSetAvailable',
              message: `ReplicaSet "${rsName}" has successfully progressed.`,
            }
          : {
              type: 'Progressing',
              status: 'True',
              reason: 'ReplicaSetUpdated',
              message: `ReplicaSet "${rsName}" is progressing.`,
            },
        now,
      ),
    );
  }
  return {
    observedGeneration: d.metadata.generation ?? 0,
    replicas,
    updatedReplicas: updated,
    readyReplicas: sum((rs) => rs.status?.readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sum((rs) => rs.spec?.replicas) - available),
    conditions,
    ...(d.status?.collisionCount ? { collisionCount: d.status.collisionCount } : {}),
  };
}
