import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatFieldError,
  validateAntreaPolicy,
  type ValidationContext,
} from '../../src/apis/validation/index.js';
import type {
  AntreaNetworkPolicy,
  AntreaPeer,
  AntreaPolicySpec,
  AntreaRule,
  ClusterNetworkPolicy,
} from '../../src/apis/crd.js';

const RULE: AntreaRule = {
  action: 'Allow',
  from: [{ podSelector: {} }],
  ports: [{ protocol: 'TCP', port: 80 }],
};
const SPEC: AntreaPolicySpec = {
  priority: 5,
  tier: 'securityops',
  appliedTo: [{ podSelector: { matchLabels: { app: 'web' } } }],
  ingress: [RULE],
};
const acnp = (spec: Partial<AntreaPolicySpec>): ClusterNetworkPolicy => ({
  apiVersion: 'crd.antrea.io/v1beta1',
  kind: 'ClusterNetworkPolicy',
  metadata: { name: 'acnp' },
  spec: { ...SPEC, ...spec },
});
const annp = (spec: Partial<AntreaPolicySpec>): AntreaNetworkPolicy => ({
  apiVersion: 'crd.antrea.io/v1beta1',
  kind: 'NetworkPolicy',
  metadata: { name: 'annp', namespace: 'default' },
  spec: { ...SPEC, ...spec },
});
const check = (spec: Partial<AntreaPolicySpec>, ctx?: ValidationContext) =>
  validateAntreaPolicy(acnp(spec), ctx).map(formatFieldError);
const checkAnnp = (spec: Partial<AntreaPolicySpec>) =>
  validateAntreaPolicy(annp(spec)).map(formatFieldError);
const from = (...peers: AntreaPeer[]) => check({ ingress: [{ ...RULE, from: peers }] });
const to = (...peers: AntreaPeer[]) =>
  check({ ingress: [], egress: [{ action: 'Drop', to: peers }] });

test('valid ACNP and ANNP pass', () => {
  assert.deepEqual(check({}), []);
  assert.deepEqual(checkAnnp({}), []);
  assert.deepEqual(check({ priority: 2.5, tier: undefined }), []);
});

test('spec.priority: required number between 1 and 10000', () => {
  const { priority: _omit, ...noPriority } = SPEC;
  const missing = { ...acnp({}), spec: noPriority } as unknown as ClusterNetworkPolicy;
  assert.deepEqual(validateAntreaPolicy(missing).map(formatFieldError), [
    'spec.priority: Required value',
  ]);
  assert.deepEqual(check({ priority: 1 }), []);
  assert.deepEqual(check({ priority: 10000 }), []);
  assert.deepEqual(check({ priority: 0.5 }), [
    'spec.priority: Invalid value: 0.5: spec.priority in body should be greater than or equal to 1',
  ]);
  assert.deepEqual(check({ priority: 10001 }), [
    'spec.priority: Invalid value: 10001: spec.priority in body should be less than or equal to 10000',
  ]);
  assert.deepEqual(check({ priority: '5' as unknown as number }), [
    'spec.priority: Invalid value: "string": spec.priority in body must be of type number: "string"',
  ]);
});

test('spec.tier: default Tiers, their capitalised names, or Tiers the context knows', () => {
  for (const tier of [
    'emergency',
    'application',
    'baseline',
    'Emergency',
    'SecurityOps',
    'Baseline',
  ]) {
    assert.deepEqual(check({ tier }), [], tier);
  }
  assert.deepEqual(check({ tier: 'mytier' }), [
    'spec.tier: Invalid value: "mytier": tier mytier does not exist',
  ]);
  assert.deepEqual(check({ tier: 'EMERGENCY' }), [
    'spec.tier: Invalid value: "EMERGENCY": tier EMERGENCY does not exist',
  ]);
  assert.deepEqual(check({ tier: 'mytier' }, { tierExists: (n) => n === 'mytier' }), []);
});

test('rule action: required, one of Allow/Drop/Reject/Pass, no Pass in the baseline Tier', () => {
  for (const action of ['Allow', 'Drop', 'Reject', 'Pass'] as const) {
    assert.deepEqual(check({ ingress: [{ ...RULE, action }] }), [], action);
  }
  assert.deepEqual(check({ ingress: [{ from: [{ podSelector: {} }] }] }), [
    'spec.ingress[0].action: Required value',
  ]);
  assert.deepEqual(check({ ingress: [{ ...RULE, action: 'Deny' as 'Drop' }] }), [
    'spec.ingress[0].action: Unsupported value: "Deny": supported values: "Allow", "Drop", "Reject", "Pass"',
  ]);
  for (const tier of ['baseline', 'Baseline']) {
    assert.deepEqual(check({ tier, egress: [{ action: 'Pass', to: [{ podSelector: {} }] }] }), [
      'spec.egress[0].action: Forbidden: `Pass` action should not be set for Baseline Tier policy rules',
    ]);
  }
  assert.deepEqual(check({ tier: 'baseline', ingress: [{ ...RULE, action: 'Drop' }] }), []);
});

test('appliedTo: in the spec or in every rule, never both, never neither', () => {
  const at = [{ podSelector: {} }];
  assert.deepEqual(
    check({
      appliedTo: undefined,
      ingress: [{ ...RULE, appliedTo: at }],
      egress: [{ action: 'Drop', appliedTo: at }],
    }),
    [],
  );
  assert.deepEqual(check({ ingress: [{ ...RULE, appliedTo: at }] }), [
    'spec.appliedTo: Forbidden: appliedTo should not be set in both spec and rules',
  ]);
  assert.deepEqual(check({ appliedTo: [] }), [
    'spec.appliedTo: Required value: appliedTo needs to be set in either spec or rules',
  ]);
  assert.deepEqual(
    check({
      appliedTo: undefined,
      ingress: [{ ...RULE, appliedTo: at }],
      egress: [{ action: 'Drop' }],
    }),
    [
      'spec.egress[0].appliedTo: Required value: appliedTo field should either be set in all rules or in none of them',
    ],
  );
});

test('appliedTo entries: group, nodeSelector, serviceAccount and service stand alone; selectors valid', () => {
  assert.deepEqual(
    check({ appliedTo: [{ group: 'g' }, { namespaceSelector: {}, podSelector: {} }] }),
    [],
  );
  assert.deepEqual(check({ appliedTo: [{ group: 'g', podSelector: {} }] }), [
    'spec.appliedTo[0]: Forbidden: group cannot be set with other peers in appliedTo',
  ]);
  assert.deepEqual(check({ appliedTo: [{ nodeSelector: {}, namespaceSelector: {} }] }), [
    'spec.appliedTo[0]: Forbidden: nodeSelector cannot be set with other peers in appliedTo',
  ]);
  assert.deepEqual(
    check({ appliedTo: [{ serviceAccount: { name: 'sa', namespace: 'ns' }, podSelector: {} }] }),
    ['spec.appliedTo[0]: Forbidden: serviceAccount cannot be set with other peers in appliedTo'],
  );
  assert.deepEqual(check({ appliedTo: [{ podSelector: { matchLabels: { '/app': 'x' } } }] }), [
    'spec.appliedTo[0].podSelector.matchLabels: Invalid value: "/app": prefix part must be non-empty',
  ]);
});

test('appliedTo Services: ingress only, not mixed, sources by ipBlock only', () => {
  const svc = { service: { name: 's', namespace: 'ns' } };
  const ipFrom = { ...RULE, from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] };
  assert.deepEqual(check({ appliedTo: [svc], ingress: [ipFrom] }), []);
  assert.deepEqual(check({ appliedTo: [svc, { podSelector: {} }], ingress: [ipFrom] }), [
    'spec.appliedTo: Forbidden: a rule/policy cannot be applied to Services and other peers at the same time',
  ]);
  assert.deepEqual(check({ appliedTo: [svc], ingress: [ipFrom], egress: [{ action: 'Drop' }] }), [
    'spec.appliedTo[0].service: Forbidden: egress rule cannot be applied to Services',
  ]);
  assert.deepEqual(check({ appliedTo: [svc] }), [
    'spec.ingress[0].from[0]: Forbidden: a rule/policy that is applied to Services can only use ipBlock to select workloads',
  ]);
  assert.deepEqual(check({ appliedTo: [{ ...svc, podSelector: {} }], ingress: [ipFrom] }), [
    'spec.appliedTo[0]: Forbidden: service cannot be set with other peers in appliedTo',
  ]);
});

test('peers: group, serviceAccount and nodeSelector stand alone', () => {
  assert.deepEqual(
    from({ group: 'g' }, { serviceAccount: { name: 'a', namespace: 'b' } }, { nodeSelector: {} }),
    [],
  );
  assert.deepEqual(from({ group: 'g', ipBlock: { cidr: '10.0.0.0/8' } }), [
    'spec.ingress[0].from[0]: Forbidden: group cannot be set with other peers in rules',
  ]);
  assert.deepEqual(from({ podSelector: {}, serviceAccount: { name: 'a', namespace: 'b' } }), [
    'spec.ingress[0].from[0]: Forbidden: serviceAccount cannot be set with other peers in rules',
  ]);
  assert.deepEqual(to({ nodeSelector: {}, podSelector: {} }), [
    'spec.egress[0].to[0]: Forbidden: nodeSelector cannot be set with other peers in rules',
  ]);
});

test('peers: namespaces exclusive with namespaceSelector, one criterion, valid sameLabels', () => {
  assert.deepEqual(
    from(
      { namespaces: { match: 'Self' }, podSelector: {} },
      { namespaces: { sameLabels: ['env'] } },
    ),
    [],
  );
  assert.deepEqual(from({ namespaces: { match: 'Self' }, namespaceSelector: {} }), [
    'spec.ingress[0].from[0]: Forbidden: namespaces and namespaceSelector cannot be set at the same time for a single NetworkPolicyPeer',
  ]);
  assert.deepEqual(from({ namespaces: { match: 'Self', sameLabels: ['env'] } }), [
    'spec.ingress[0].from[0].namespaces: Forbidden: only one matching criteria can be specified in a single peer namespaces field',
  ]);
  assert.deepEqual(from({ namespaces: { match: 'Other' as 'Self' } }), [
    'spec.ingress[0].from[0].namespaces.match: Unsupported value: "Other": supported values: "Self"',
  ]);
  assert.deepEqual(from({ namespaces: { sameLabels: ['bad key'] } }), [
    'spec.ingress[0].from[0].namespaces.sameLabels[0]: Invalid value: "bad key": Invalid label key in sameLabels rule: bad key',
  ]);
});

test('peers: ipBlock as in K8s; fqdn in egress only, with DNS characters', () => {
  assert.deepEqual(
    to({ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24'] } }, { fqdn: '*.example.com' }),
    [],
  );
  assert.deepEqual(to({ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }), [
    'spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`',
  ]);
  assert.deepEqual(to({ ipBlock: { cidr: 'nope' } }), [
    'spec.egress[0].to[0].ipBlock.cidr: Invalid value: "nope": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
  ]);
  assert.deepEqual(to({ fqdn: 'bad name.com' }), [
    'spec.egress[0].to[0].fqdn: Invalid value: "bad name.com": invalid characters in egress rule fqdn field: bad name.com',
  ]);
  assert.deepEqual(from({ fqdn: 'example.com' }), [
    'spec.ingress[0].from[0].fqdn: Forbidden: not supported in ingress rules',
  ]);
});

test('ports: port and endPort as in K8s, sourceEndPort after sourcePort', () => {
  const withPorts = (ports: AntreaRule['ports']) => check({ ingress: [{ ...RULE, ports }] });
  assert.deepEqual(
    withPorts([
      { port: 8080, endPort: 8090, sourcePort: 1000, sourceEndPort: 2000 },
      { port: 'http' },
    ]),
    [],
  );
  assert.deepEqual(withPorts([{ port: 80, endPort: 79 }]), [
    'spec.ingress[0].ports[0].endPort: Invalid value: 79: must be greater than or equal to `port`',
  ]);
  assert.deepEqual(withPorts([{ port: 'http', endPort: 90 }]), [
    'spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
  ]);
  assert.deepEqual(withPorts([{ sourceEndPort: 2000 }]), [
    'spec.ingress[0].ports[0].sourceEndPort: Invalid value: 2000: if `sourceEndPort` is specified `sourcePort` must be specified',
  ]);
  assert.deepEqual(withPorts([{ sourcePort: 2000, sourceEndPort: 1000 }]), [
    'spec.ingress[0].ports[0].sourceEndPort: Invalid value: 1000: `sourceEndPort` should be greater than or equal to `sourcePort`',
  ]);
});

test('rule names are unique within the policy, across directions', () => {
  assert.deepEqual(
    check({ ingress: [{ ...RULE, name: 'a' }, { ...RULE, name: 'b' }, RULE, RULE] }),
    [],
  );
  assert.deepEqual(
    check({ ingress: [{ ...RULE, name: 'r1' }], egress: [{ action: 'Drop', name: 'r1' }] }),
    ['spec.egress[0].name: Duplicate value: "r1": rules names must be unique within the policy'],
  );
});

test('ANNP: namespaced; its appliedTo selects within the Namespace; peers have no namespaces', () => {
  assert.deepEqual(
    checkAnnp({ ingress: [{ ...RULE, from: [{ namespaceSelector: {} }, { group: 'g' }] }] }),
    [],
  );
  assert.deepEqual(checkAnnp({ appliedTo: [{ podSelector: {}, namespaceSelector: {} }] }), [
    'spec.appliedTo[0].namespaceSelector: Forbidden: not supported in an Antrea NetworkPolicy',
  ]);
  assert.deepEqual(
    checkAnnp({ ingress: [{ ...RULE, from: [{ namespaces: { match: 'Self' } }] }] }),
    ['spec.ingress[0].from[0].namespaces: Forbidden: not supported in an Antrea NetworkPolicy'],
  );
  const noNs = { ...annp({}), metadata: { name: 'annp' } };
  assert.deepEqual(validateAntreaPolicy(noNs).map(formatFieldError), [
    'metadata.namespace: Required value',
  ]);
  const nsOnAcnp = { ...acnp({}), metadata: { name: 'acnp', namespace: 'default' } };
  assert.deepEqual(validateAntreaPolicy(nsOnAcnp).map(formatFieldError), [
    'metadata.namespace: Forbidden: not allowed on this type',
  ]);
});
