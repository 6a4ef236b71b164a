import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatFieldError,
  validateClusterGroup,
  validateGroup,
  validateTier,
  type ValidationContext,
} from '../../src/apis/validation/index.js';
import type { GroupSpec, Tier } from '../../src/apis/crd.js';

const tier = (priority: unknown, name = 'mytier', ctx?: ValidationContext) =>
  validateTier(
    {
      apiVersion: 'crd.antrea.io/v1beta1',
      kind: 'Tier',
      metadata: { name },
      spec: { priority },
    } as Tier,
    ctx,
  ).map(formatFieldError);
const cg = (spec: GroupSpec) =>
  validateClusterGroup({ kind: 'ClusterGroup', metadata: { name: 'cg' }, spec }).map(
    formatFieldError,
  );
const group = (spec: GroupSpec) =>
  validateGroup({ kind: 'Group', metadata: { name: 'g', namespace: 'default' }, spec }).map(
    formatFieldError,
  );

const CG_ONE_OF =
  'spec: Forbidden: At most one of podSelector, externalEntitySelector, serviceReference, ipBlock, ipBlocks or childGroups can be set for a ClusterGroup';
const G_ONE_OF =
  'spec: Forbidden: At most one of podSelector, externalEntitySelector, serviceReference, ipBlocks or childGroups can be set for a Group';

test('Tier priority: a required integer from 0 to 255', () => {
  assert.deepEqual(tier(0), []);
  assert.deepEqual(tier(10), []);
  assert.deepEqual(tier(undefined), ['spec.priority: Required value']);
  assert.deepEqual(tier(-1), [
    'spec.priority: Invalid value: -1: spec.priority in body should be greater than or equal to 0',
  ]);
  assert.deepEqual(tier(256), [
    'spec.priority: Invalid value: 256: spec.priority in body should be less than or equal to 255',
  ]);
  assert.deepEqual(tier(1.5), [
    'spec.priority: Invalid value: "number": spec.priority in body must be of type integer: "number"',
  ]);
});

test('Tier priority: not reserved, not another Tier’s', () => {
  for (const p of [251, 252, 254, 255]) {
    assert.deepEqual(tier(p), [
      `spec.priority: Invalid value: ${p}: tier mytier priority ${p} is reserved`,
    ]);
  }
  assert.deepEqual(tier(50), [
    'spec.priority: Duplicate value: 50: tier mytier priority 50 overlaps with existing Tier',
  ]);
  assert.deepEqual(tier(253), [
    'spec.priority: Duplicate value: 253: tier mytier priority 253 overlaps with existing Tier',
  ]);
  // A default Tier keeps its own priority (Antrea creates and updates them).
  assert.deepEqual(tier(50, 'emergency'), []);
  assert.deepEqual(tier(250, 'application'), []);
  const taken: ValidationContext = {
    tierPriorityTaken: (p, except) => p === 20 && except !== 'owner',
  };
  assert.deepEqual(tier(20, 'mytier', taken), [
    'spec.priority: Duplicate value: 20: tier mytier priority 20 overlaps with existing Tier',
  ]);
  assert.deepEqual(tier(20, 'owner', taken), []);
});

test('Tier metadata: cluster-scoped subdomain name', () => {
  const t: Tier = {
    kind: 'Tier',
    metadata: { name: 't', namespace: 'default' },
    spec: { priority: 10 },
  };
  assert.deepEqual(validateTier(t).map(formatFieldError), [
    'metadata.namespace: Forbidden: not allowed on this type',
  ]);
});

test('groups: one way of selecting, or namespaceSelector with podSelector', () => {
  const ipBlocks = [{ cidr: '10.0.0.0/8' }];
  assert.deepEqual(cg({ podSelector: {}, namespaceSelector: {} }), []);
  assert.deepEqual(cg({ namespaceSelector: { matchLabels: { env: 'prod' } } }), []);
  assert.deepEqual(cg({ ipBlocks }), []);
  assert.deepEqual(cg({ childGroups: ['a', 'b'] }), []);
  assert.deepEqual(cg({ serviceReference: { name: 's', namespace: 'n' } }), []);
  assert.deepEqual(cg({ podSelector: {}, ipBlocks }), [CG_ONE_OF]);
  assert.deepEqual(cg({ childGroups: ['a'], namespaceSelector: {} }), [CG_ONE_OF]);
  assert.deepEqual(
    cg({ podSelector: {}, namespaceSelector: {}, serviceReference: { name: 's', namespace: 'n' } }),
    [CG_ONE_OF],
  );
  assert.deepEqual(group({ podSelector: {}, namespaceSelector: {} }), []);
  assert.deepEqual(group({ childGroups: ['a'], ipBlocks }), [G_ONE_OF]);
});

test('groups: selectors and ipBlocks valid, no unicast with multicast', () => {
  assert.deepEqual(
    cg({ podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] } }),
    [
      "spec.podSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    ],
  );
  assert.deepEqual(cg({ ipBlocks: [{ cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] }] }), [
    'spec.ipBlocks[0].except[0]: Invalid value: "11.0.0.0/16": must be a strict subset of `cidr`',
  ]);
  assert.deepEqual(cg({ ipBlocks: [{ cidr: '224.0.0.0/4' }, { cidr: 'ff00::/8' }] }), []);
  assert.deepEqual(cg({ ipBlocks: [{ cidr: '224.1.1.1/32' }, { cidr: '10.0.0.0/8' }] }), [
    'spec.ipBlocks: Forbidden: can not set multicast groupAddress together with unicast ip address',
  ]);
});

test('Group is namespaced, ClusterGroup is not', () => {
  assert.deepEqual(
    validateGroup({ kind: 'Group', metadata: { name: 'g' }, spec: {} }).map(formatFieldError),
    ['metadata.namespace: Required value'],
  );
  assert.deepEqual(
    validateClusterGroup({
      kind: 'ClusterGroup',
      metadata: { name: 'cg', namespace: 'x' },
      spec: {},
    }).map(formatFieldError),
    ['metadata.namespace: Forbidden: not allowed on this type'],
  );
});
