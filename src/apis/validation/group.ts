// ClusterGroup and Group (Antrea's validateAntrea(Cluster)GroupSpec): one way of selecting
// members per group, except that a namespaceSelector may narrow a podSelector.
import type { ClusterGroup, Group, GroupSpec } from '../crd.js';
import { parseCidr, validateIPBlock } from './cidr.js';
import { forbidden, type FieldError } from './errors.js';
import { setFields } from './fields.js';
import { validateObjectMeta } from './meta.js';
import { validateLabelSelector } from './selectors.js';

const CLUSTER_GROUP_ONE_OF =
  'At most one of podSelector, externalEntitySelector, serviceReference, ipBlock, ipBlocks or childGroups can be set for a ClusterGroup';
const GROUP_ONE_OF =
  'At most one of podSelector, externalEntitySelector, serviceReference, ipBlocks or childGroups can be set for a Group';

/** Two fields together are fine only as namespaceSelector plus a pod or external-entity selector. */
function isAllowedPair(fields: readonly string[]): boolean {
  return (
    fields.includes('namespaceSelector') &&
    (fields.includes('podSelector') || fields.includes('externalEntitySelector'))
  );
}

function validateIPBlocks(spec: GroupSpec): FieldError[] {
  const blocks = spec.ipBlocks ?? [];
  const errs = blocks.flatMap((b, i) => validateIPBlock(b, `spec.ipBlocks[${i}]`));
  if (errs.length > 0) return errs;
  const multicast = blocks.map((b) => parseCidr(b.cidr)![0].range() === 'multicast');
  if (multicast.includes(true) && multicast.includes(false)) {
    errs.push(
      forbidden(
        'spec.ipBlocks',
        'can not set multicast groupAddress together with unicast ip address',
      ),
    );
  }
  return errs;
}

function validateGroupSpec(spec: GroupSpec, oneOf: string): FieldError[] {
  const fields = setFields(spec);
  const errs: FieldError[] = [];
  if (fields.length > 2 || (fields.length === 2 && !isAllowedPair(fields))) {
    errs.push(forbidden('spec', oneOf));
  }
  errs.push(...validateLabelSelector(spec.podSelector, 'spec.podSelector'));
  errs.push(...validateLabelSelector(spec.namespaceSelector, 'spec.namespaceSelector'));
  errs.push(...validateIPBlocks(spec));
  return errs;
}

export function validateClusterGroup(cg: ClusterGroup): FieldError[] {
  const errs = validateObjectMeta(cg.metadata, { nameRule: 'DNS1123Subdomain', namespaced: false });
  return [...errs, ...validateGroupSpec(cg.spec ?? {}, CLUSTER_GROUP_ONE_OF)];
}

export function validateGroup(g: Group): FieldError[] {
  const errs = validateObjectMeta(g.metadata, { nameRule: 'DNS1123Subdomain', namespaced: true });
  return [...errs, ...validateGroupSpec(g.spec ?? {}, GROUP_ONE_OF)];
}
