// Validation of API objects with kube-apiserver's and Antrea's admission rules. Every error
// names its field path; formatInvalid renders a list as kubectl shows a 422.
import type { Namespace, Pod, Service } from '../core.js';
import type {
  AntreaNetworkPolicy,
  ClusterGroup,
  ClusterNetworkPolicy,
  Group,
  Tier,
} from '../crd.js';
import { CRD_GROUP } from '../crd.js';
import type { KubeObject } from '../meta.js';
import type { NetworkPolicy } from '../networking.js';
import { validateAntreaPolicy } from './antreapolicy.js';
import type { ValidationContext } from './context.js';
import type { FieldError } from './errors.js';
import { validateClusterGroup, validateGroup } from './group.js';
import { validateObjectMeta, type ObjectMetaOptions } from './meta.js';
import { validateNamespace } from './namespace.js';
import { validateNetworkPolicy } from './networkpolicy.js';
import { validatePod } from './pod.js';
import { validateService } from './service.js';
import { validateTier } from './tier.js';

export type { ValidationContext } from './context.js';
export {
  formatErrorList,
  formatFieldError,
  formatInvalid,
  toStatusCause,
  type FieldError,
  type FieldErrorType,
  type StatusCause,
} from './errors.js';
export { validateObjectMeta, type NameRule, type ObjectMetaOptions } from './meta.js';
export { validateLabelSelector, validateLabels } from './selectors.js';
export {
  validateAntreaPolicy,
  validateClusterGroup,
  validateGroup,
  validateNamespace,
  validateNetworkPolicy,
  validatePod,
  validateService,
  validateTier,
};

const NAMESPACED: ObjectMetaOptions = { nameRule: 'DNS1123Subdomain', namespaced: true };
const CLUSTER: ObjectMetaOptions = { nameRule: 'DNS1123Subdomain', namespaced: false };

/** Kinds the project serves whose specs are not validated here: only their metadata is. */
const METADATA_ONLY: Readonly<Record<string, ObjectMetaOptions>> = {
  'core/Node': CLUSTER,
  'core/Endpoints': NAMESPACED,
  'core/Event': NAMESPACED,
  'apps/Deployment': NAMESPACED,
  'apps/ReplicaSet': NAMESPACED,
  'apps/StatefulSet': NAMESPACED,
  [`${CRD_GROUP}/AntreaAgentInfo`]: CLUSTER,
  [`${CRD_GROUP}/AntreaControllerInfo`]: CLUSTER,
};

/** `group/Kind`, the version left out (every served version validates alike); core is `core`. */
function groupKind(obj: KubeObject): string {
  const apiVersion = obj.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : 'core';
  return `${group}/${obj.kind ?? ''}`;
}

/** Validates by apiVersion and kind; unknown kinds get the metadata checks only. */
export function validateObject(obj: KubeObject, ctx: ValidationContext = {}): FieldError[] {
  const key = groupKind(obj);
  switch (key) {
    case 'core/Namespace':
      return validateNamespace(obj as Namespace);
    case 'core/Pod':
      return validatePod(obj as Pod);
    case 'core/Service':
      return validateService(obj as Service);
    case 'networking.k8s.io/NetworkPolicy':
      return validateNetworkPolicy(obj as NetworkPolicy);
    case `${CRD_GROUP}/ClusterNetworkPolicy`:
      return validateAntreaPolicy(obj as ClusterNetworkPolicy, ctx);
    case `${CRD_GROUP}/NetworkPolicy`:
      return validateAntreaPolicy(obj as AntreaNetworkPolicy, ctx);
    case `${CRD_GROUP}/Tier`:
      return validateTier(obj as Tier, ctx);
    case `${CRD_GROUP}/ClusterGroup`:
      return validateClusterGroup(obj as ClusterGroup);
    case `${CRD_GROUP}/Group`:
      return validateGroup(obj as Group);
    default:
      return validateObjectMeta(
        obj.metadata,
        METADATA_ONLY[key] ?? { nameRule: 'DNS1123Subdomain' },
      );
  }
}
