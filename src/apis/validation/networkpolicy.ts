// networking.k8s.io/v1 NetworkPolicy, as kube's pkg/apis/networking/validation checks it.
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../networking.js';
import { validateIPBlock } from './cidr.js';
import {
  forbidden,
  goSliceLiteral,
  invalid,
  notSupported,
  required,
  type FieldError,
} from './errors.js';
import { validateObjectMeta } from './meta.js';
import { validatePolicyPort } from './ports.js';
import { validateLabelSelector } from './selectors.js';

const POLICY_TYPES: readonly string[] = ['Ingress', 'Egress'];

function validatePeer(peer: NetworkPolicyPeer, path: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(peer.podSelector, `${path}.podSelector`));
  errs.push(...validateLabelSelector(peer.namespaceSelector, `${path}.namespaceSelector`));
  if (peer.ipBlock) errs.push(...validateIPBlock(peer.ipBlock, `${path}.ipBlock`));
  const set = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((f) => f != null);
  if (set.length === 0) errs.push(required(path, 'must specify a peer'));
  else if (set.length > 1 && peer.ipBlock) {
    errs.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  }
  return errs;
}

function validateRule(
  ports: readonly NetworkPolicyPort[] | undefined,
  peers: readonly NetworkPolicyPeer[] | undefined,
  path: string,
  peersField: 'from' | 'to',
): FieldError[] {
  const errs: FieldError[] = [];
  (ports ?? []).forEach((p, i) => errs.push(...validatePolicyPort(p, `${path}.ports[${i}]`)));
  (peers ?? []).forEach((p, i) => errs.push(...validatePeer(p, `${path}.${peersField}[${i}]`)));
  return errs;
}

function validatePolicyTypes(types: readonly string[], path: string): FieldError[] {
  // Kube rejects more than two entries but lets ["Ingress", "Ingress"] through.
  if (types.length > POLICY_TYPES.length) {
    return [
      invalid(
        path,
        goSliceLiteral('networking.PolicyType', types),
        'may not specify more than two policyTypes',
      ),
    ];
  }
  return types.flatMap((t, i) =>
    POLICY_TYPES.includes(t) ? [] : [notSupported(`${path}[${i}]`, t, POLICY_TYPES)],
  );
}

export function validateNetworkPolicy(np: NetworkPolicy): FieldError[] {
  const spec = np.spec ?? { podSelector: {} };
  const errs = validateObjectMeta(np.metadata, { nameRule: 'DNS1123Subdomain', namespaced: true });
  errs.push(...validateLabelSelector(spec.podSelector, 'spec.podSelector'));
  (spec.ingress ?? []).forEach((r, i) => {
    errs.push(...validateRule(r.ports, r.from, `spec.ingress[${i}]`, 'from'));
  });
  (spec.egress ?? []).forEach((r, i) => {
    errs.push(...validateRule(r.ports, r.to, `spec.egress[${i}]`, 'to'));
  });
  errs.push(...validatePolicyTypes(spec.policyTypes ?? [], 'spec.policyTypes'));
  return errs;
}
