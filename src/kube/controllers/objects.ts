// Small facts about API objects that several controllers need: queue keys, controller
// ownerReferences, and the pod states kube's controllers agree on.
import type { Pod } from '../../apis/core.js';
import type { KubeObject, OwnerReference } from '../../apis/meta.js';

/** `namespace/name`, or `name` for cluster-scoped objects (client-go's MetaNamespaceKey). */
export function keyOf(o: KubeObject): string {
  const ns = o.metadata.namespace ?? '';
  return ns ? `${ns}/${o.metadata.name ?? ''}` : (o.metadata.name ?? '');
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0
    ? { namespace: '', name: key }
    : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** The reference that makes `owner` the managing controller of a dependent. */
export function controllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

function controllerOf(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** The queue key of the object's controller when it is of `kind` (a pod's ReplicaSet…). */
export function controllerKey(o: KubeObject, kind: string): string | undefined {
  const ref = controllerOf(o);
  return ref?.kind === kind ? `${o.metadata.namespace ?? ''}/${ref.name}` : undefined;
}

export function isControlledBy(o: KubeObject, owner: KubeObject): boolean {
  const ref = controllerOf(o);
  return ref !== undefined && ref.uid === owner.metadata.uid;
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * Ready for at least minReadySeconds at `now`. When not yet, `availableInMs` says how long
 * until it will be (so the caller can look again then).
 */
export function podAvailability(
  pod: Pod,
  minReadySeconds: number,
  now: number,
): { available: boolean; availableInMs?: number } {
  if (!isPodReady(pod)) return { available: false };
  if (minReadySeconds <= 0) return { available: true };
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const since = Date.parse(ready?.lastTransitionTime ?? '');
  if (Number.isNaN(since)) return { available: true };
  const wait = since + minReadySeconds * 1000 - now;
  return wait <= 0 ? { available: true } : { available: false, availableInMs: wait };
}

/** Neither finished nor being deleted: a pod that counts towards a controller's replicas. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !isTerminating(pod);
}

/** Has a deletionTimestamp: finalizers (or a grace period) still hold it. */
export function isTerminating(o: KubeObject): boolean {
  return !!o.metadata.deletionTimestamp;
}
