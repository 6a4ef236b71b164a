// The appliedTo entries and rule peers of Antrea-native policies (Antrea's validateAppliedTo,
// validatePeers and validateFQDNSelectors, plus the fields each CRD's schema leaves out).
import type { AntreaPeer, AppliedTo } from '../crd.js';
import { validateIPBlock } from './cidr.js';
import { forbidden, invalid, notSupported, type FieldError } from './errors.js';
import { setFields } from './fields.js';
import { isQualifiedName } from './names.js';
import { validateLabelSelector } from './selectors.js';

/** Where an appliedTo list sits: the policy's spec or one rule of a direction. */
export type AppliedToScope = 'policy' | 'ingress' | 'egress';

export interface PolicyShape {
  /** An Antrea NetworkPolicy (namespaced) rather than a ClusterNetworkPolicy. */
  readonly namespaced: boolean;
  readonly hasEgress: boolean;
}

const NOT_IN_ANNP = 'not supported in an Antrea NetworkPolicy';

// The ANNP CRD selects only within the policy's Namespace: its appliedTo has no Namespace,
// Node, ServiceAccount or Service selection, and its peers no namespaces or serviceAccount.
const ANNP_APPLIED_TO_FORBIDDEN: readonly (keyof AppliedTo)[] = [
  'namespaceSelector',
  'nodeSelector',
  'serviceAccount',
  'service',
];
const ANNP_PEER_FORBIDDEN: readonly (keyof AntreaPeer)[] = ['namespaces', 'serviceAccount'];

// Fields that must stand alone in their entry, in the order Antrea checks them.
const APPLIED_TO_ALONE: readonly (keyof AppliedTo)[] = [
  'group',
  'nodeSelector',
  'serviceAccount',
  'service',
];
const PEER_ALONE: readonly (keyof AntreaPeer)[] = ['group', 'serviceAccount', 'nodeSelector'];

const ALLOWED_FQDN = /^[-0-9a-zA-Z.*]+$/;

function forbiddenFields<T extends object>(
  obj: T,
  fields: readonly (keyof T)[],
  path: string,
): FieldError[] {
  return fields
    .filter((f) => obj[f] !== undefined && obj[f] !== null)
    .map((f) => forbidden(`${path}.${String(f)}`, NOT_IN_ANNP));
}

/** Antrea's "X cannot be set with other peers in …" for the first stand-alone field in use. */
function aloneErrors<T extends object>(
  obj: T,
  alone: readonly (keyof T)[],
  path: string,
  where: string,
): FieldError[] {
  const set = setFields(obj);
  const f = alone.find((k) => set.includes(String(k)));
  return f !== undefined && set.length > 1
    ? [forbidden(path, `${String(f)} cannot be set with other peers in ${where}`)]
    : [];
}

export function validateAppliedTos(
  list: readonly AppliedTo[],
  path: string,
  scope: AppliedToScope,
  shape: PolicyShape,
): FieldError[] {
  const errs: FieldError[] = [];
  let services = 0;
  list.forEach((at, i) => {
    const p = `${path}[${i}]`;
    if (shape.namespaced) errs.push(...forbiddenFields(at, ANNP_APPLIED_TO_FORBIDDEN, p));
    errs.push(...aloneErrors(at, APPLIED_TO_ALONE, p, 'appliedTo'));
    if (at.service) {
      services++;
      if (scope === 'egress' || (scope === 'policy' && shape.hasEgress)) {
        errs.push(forbidden(`${p}.service`, 'egress rule cannot be applied to Services'));
      }
    }
    errs.push(...validateLabelSelector(at.podSelector, `${p}.podSelector`));
    errs.push(...validateLabelSelector(at.namespaceSelector, `${p}.namespaceSelector`));
    errs.push(...validateLabelSelector(at.nodeSelector, `${p}.nodeSelector`));
  });
  if (services > 0 && services < list.length) {
    errs.push(
      forbidden(
        path,
        'a rule/policy cannot be applied to Services and other peers at the same time',
      ),
    );
  }
  return errs;
}

function validateNamespaces(peer: AntreaPeer, path: string): FieldError[] {
  const ns = peer.namespaces;
  if (!ns) return [];
  const errs: FieldError[] = [];
  if (peer.namespaceSelector) {
    errs.push(
      forbidden(
        path,
        'namespaces and namespaceSelector cannot be set at the same time for a single NetworkPolicyPeer',
      ),
    );
  }
  if (setFields(ns).length > 1) {
    errs.push(
      forbidden(
        `${path}.namespaces`,
        'only one matching criteria can be specified in a single peer namespaces field',
      ),
    );
  }
  if (ns.match !== undefined && ns.match !== 'Self') {
    errs.push(notSupported(`${path}.namespaces.match`, ns.match, ['Self']));
  }
  (ns.sameLabels ?? []).forEach((k, i) => {
    if (isQualifiedName(k).length > 0) {
      errs.push(
        invalid(
          `${path}.namespaces.sameLabels[${i}]`,
          k,
          `Invalid label key in sameLabels rule: ${k}`,
        ),
      );
    }
  });
  return errs;
}

export function validateAntreaPeer(
  peer: AntreaPeer,
  path: string,
  direction: 'ingress' | 'egress',
  shape: PolicyShape,
): FieldError[] {
  const errs: FieldError[] = [];
  if (shape.namespaced) errs.push(...forbiddenFields(peer, ANNP_PEER_FORBIDDEN, path));
  errs.push(...validateNamespaces(peer, path));
  if (peer.ipBlock) errs.push(...validateIPBlock(peer.ipBlock, `${path}.ipBlock`));
  errs.push(...aloneErrors(peer, PEER_ALONE, path, 'rules'));
  errs.push(...validateLabelSelector(peer.podSelector, `${path}.podSelector`));
  errs.push(...validateLabelSelector(peer.namespaceSelector, `${path}.namespaceSelector`));
  errs.push(...validateLabelSelector(peer.nodeSelector, `${path}.nodeSelector`));
  if (peer.fqdn) {
    // Only egress peers have an fqdn field in the CRDs.
    if (direction === 'ingress')
      errs.push(forbidden(`${path}.fqdn`, 'not supported in ingress rules'));
    else if (!ALLOWED_FQDN.test(peer.fqdn)) {
      errs.push(
        invalid(
          `${path}.fqdn`,
          peer.fqdn,
          `invalid characters in egress rule fqdn field: ${peer.fqdn}`,
        ),
      );
    }
  }
  return errs;
}

/** Antrea: a rule or policy applied to Services selects its sources by ipBlock alone. */
export function validateServiceIngressPeers(
  peers: readonly AntreaPeer[],
  path: string,
): FieldError[] {
  return peers.flatMap((peer, j) =>
    !peer.ipBlock || setFields(peer).length > 1
      ? [
          forbidden(
            `${path}[${j}]`,
            'a rule/policy that is applied to Services can only use ipBlock to select workloads',
          ),
        ]
      : [],
  );
}
