// Identity of a source policy: which kind it is and where it lives. Used as the key of every
// per-policy index, and to derive a stable internal name when an object has no uid (offline).
import type { KubeObject, NetworkPolicyType } from '../../apis/index.js';
import { CRD_GROUP } from '../../apis/index.js';
import { stableUuid } from './stableuuid.js';

export interface PolicyRef {
  readonly type: NetworkPolicyType;
  readonly namespace?: string;
  readonly name: string;
}

export function policyKey(r: PolicyRef): string {
  // One flat string (see stableUuid): it is held by the policy and by every group it uses.
  return [r.type, r.namespace ?? '', r.name].join('/');
}

/** Whether the object's API group is Antrea's CRD group (compared without splitting a string). */
export function isCrd(obj: KubeObject): boolean {
  const v = obj.apiVersion ?? '';
  return v.startsWith(CRD_GROUP) && (v.length === CRD_GROUP.length || v[CRD_GROUP.length] === '/');
}

/** Which policy type a manifest is, or undefined for kinds that are not policies. */
export function policyTypeOf(obj: KubeObject): NetworkPolicyType | undefined {
  if (obj.kind === 'ClusterNetworkPolicy') return 'AntreaClusterNetworkPolicy';
  if (obj.kind === 'NetworkPolicy') {
    return isCrd(obj) ? 'AntreaNetworkPolicy' : 'K8sNetworkPolicy';
  }
  return undefined;
}

export function policyRefOf(obj: KubeObject, type: NetworkPolicyType): PolicyRef {
  const name = obj.metadata.name ?? '';
  if (type === 'AntreaClusterNetworkPolicy') return { type, name };
  return { type, namespace: obj.metadata.namespace ?? 'default', name };
}

/** The object's uid, or one derived from its identity so offline manifests name alike each run. */
export function uidOf(obj: KubeObject, ref: PolicyRef): string {
  if (obj.metadata.uid) return obj.metadata.uid;
  return stableUuid(policyKey(ref));
}
