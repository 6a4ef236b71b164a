import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatFieldError,
  validateLabelSelector,
  validateLabels,
  validateObjectMeta,
  type ObjectMetaOptions,
} from '../../src/apis/validation/index.js';
import type { LabelSelector, ObjectMeta } from '../../src/apis/meta.js';

const SUBDOMAIN_NS: ObjectMetaOptions = { nameRule: 'DNS1123Subdomain', namespaced: true };
const LABEL_CLUSTER: ObjectMetaOptions = { nameRule: 'DNS1123Label', namespaced: false };
const meta = (m: ObjectMeta, opts = SUBDOMAIN_NS) =>
  validateObjectMeta(m, opts).map(formatFieldError);
const selector = (s: LabelSelector) =>
  validateLabelSelector(s, 'spec.podSelector').map(formatFieldError);

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

test('name is required unless generateName is set', () => {
  assert.deepEqual(meta({ namespace: 'default' }), [
    'metadata.name: Required value: name or generateName is required',
  ]);
  assert.deepEqual(meta({ generateName: 'web-', namespace: 'default' }), []);
  assert.deepEqual(meta({ generateName: 'Web-', namespace: 'default' }), [
    `metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN_MSG}`,
  ]);
});

test('names: DNS-1123 subdomain for most kinds, label where the kind says so', () => {
  assert.deepEqual(meta({ name: 'web.v1', namespace: 'default' }), []);
  assert.deepEqual(meta({ name: 'Web', namespace: 'default' }), [
    `metadata.name: Invalid value: "Web": ${SUBDOMAIN_MSG}`,
  ]);
  const long = 'a'.repeat(254);
  assert.deepEqual(meta({ name: long, namespace: 'default' }), [
    `metadata.name: Invalid value: "${long}": must be no more than 253 characters`,
  ]);
  assert.deepEqual(meta({ name: 'kube-system' }, LABEL_CLUSTER), []);
  assert.deepEqual(meta({ name: 'my.ns' }, LABEL_CLUSTER), [
    'metadata.name: Invalid value: "my.ns": must not contain dots',
  ]);
  assert.deepEqual(meta({ name: 'My_ns' }, LABEL_CLUSTER), [
    `metadata.name: Invalid value: "My_ns": ${LABEL_MSG}`,
  ]);
});

test('namespace: required on namespaced kinds, forbidden on cluster ones, unchecked when unknown', () => {
  assert.deepEqual(meta({ name: 'x' }), ['metadata.namespace: Required value']);
  assert.deepEqual(meta({ name: 'x', namespace: 'Bad.NS' }), [
    `metadata.namespace: Invalid value: "Bad.NS": ${LABEL_MSG}`,
  ]);
  assert.deepEqual(meta({ name: 'x', namespace: 'default' }, LABEL_CLUSTER), [
    'metadata.namespace: Forbidden: not allowed on this type',
  ]);
  assert.deepEqual(
    validateObjectMeta({ name: 'x', namespace: 'a' }, { nameRule: 'DNS1123Subdomain' }),
    [],
  );
  assert.deepEqual(validateObjectMeta({ name: 'x' }, { nameRule: 'DNS1123Subdomain' }), []);
});

test('label keys are qualified names and values are label values', () => {
  const ok = { app: 'web', 'example.com/tier': 'front_end-1', empty: '' };
  assert.deepEqual(meta({ name: 'x', namespace: 'd', labels: ok }), []);
  assert.deepEqual(meta({ name: 'x', namespace: 'd', labels: { 'a b': 'v' } }), [
    `metadata.labels: Invalid value: "a b": ${NAME_PART}`,
  ]);
  assert.deepEqual(meta({ name: 'x', namespace: 'd', labels: { '/app': 'v' } }), [
    'metadata.labels: Invalid value: "/app": prefix part must be non-empty',
  ]);
  assert.deepEqual(meta({ name: 'x', namespace: 'd', labels: { 'Example.com/app': 'v' } }), [
    `metadata.labels: Invalid value: "Example.com/app": prefix part ${SUBDOMAIN_MSG}`,
  ]);
  assert.deepEqual(meta({ name: 'x', namespace: 'd', labels: { 'a/b/c': 'v' } }), [
    `metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  ]);
  assert.deepEqual(meta({ name: 'x', namespace: 'd', labels: { ['k'.repeat(64)]: 'v' } }), [
    `metadata.labels: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`,
  ]);
  const long = 'v'.repeat(64);
  assert.deepEqual(meta({ name: 'x', namespace: 'd', labels: { app: long } }), [
    `metadata.labels: Invalid value: "${long}": must be no more than 63 characters`,
  ]);
  assert.deepEqual(meta({ name: 'x', namespace: 'd', labels: { app: '-web' } }), [
    `metadata.labels: Invalid value: "-web": ${VALUE_MSG}`,
  ]);
});

test('annotation keys are qualified names in any case, and their total size is capped', () => {
  assert.deepEqual(
    meta({ name: 'x', namespace: 'd', annotations: { 'Example.COM/Note': 'any text at all' } }),
    [],
  );
  assert.deepEqual(meta({ name: 'x', namespace: 'd', annotations: { 'bad key': '' } }), [
    `metadata.annotations: Invalid value: "bad key": ${NAME_PART}`,
  ]);
  assert.deepEqual(
    meta({ name: 'x', namespace: 'd', annotations: { a: 'x'.repeat(256 * 1024 - 1) } }),
    [],
  );
  assert.deepEqual(
    meta({ name: 'x', namespace: 'd', annotations: { a: 'x'.repeat(256 * 1024) } }),
    ['metadata.annotations: Too long: must have at most 262144 bytes'],
  );
});

test('label selectors: operators, their values, keys and values', () => {
  assert.deepEqual(
    selector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'x', operator: 'Exists' },
        { key: 'y', operator: 'DoesNotExist', values: [] },
      ],
    }),
    [],
  );
  assert.deepEqual(selector({ matchExpressions: [{ key: 'tier', operator: 'In' }] }), [
    "spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
  ]);
  assert.deepEqual(
    selector({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: [] }] }),
    [
      "spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ],
  );
  assert.deepEqual(
    selector({ matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['a'] }] }),
    [
      "spec.podSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    ],
  );
  // Manifests are untyped: an operator outside the union still reaches validation.
  const bogus = [
    { key: 'tier', operator: 'Equals', values: ['a'] },
  ] as unknown as LabelSelector['matchExpressions'];
  assert.deepEqual(selector({ matchExpressions: bogus }), [
    'spec.podSelector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator',
  ]);
  assert.deepEqual(
    selector({ matchExpressions: [{ key: 'a b', operator: 'In', values: ['ok', '-no'] }] }),
    [
      `spec.podSelector.matchExpressions[0].key: Invalid value: "a b": ${NAME_PART}`,
      `spec.podSelector.matchExpressions[0].values[1]: Invalid value: "-no": ${VALUE_MSG}`,
    ],
  );
  assert.deepEqual(selector({ matchLabels: { app: 'a b' } }), [
    `spec.podSelector.matchLabels: Invalid value: "a b": ${VALUE_MSG}`,
  ]);
});

test('a label value that is not a string is refused with its path', () => {
  const errs = validateLabels(
    { ns: true } as unknown as Record<string, string>,
    'spec.podSelector.matchLabels',
  );
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.field, 'spec.podSelector.matchLabels.ns');
});

test('a selector value or key that is not a string is refused with its path, not thrown', () => {
  const selector = {
    matchExpressions: [
      { key: 'ns', operator: 'In', values: ['x', true] },
      { key: 7, operator: 'Exists' },
    ],
  } as unknown as LabelSelector;
  const errs = validateLabelSelector(selector, 'spec.podSelector');
  assert.deepEqual(
    errs.map((e) => e.field),
    ['spec.podSelector.matchExpressions[0].values[1]', 'spec.podSelector.matchExpressions[1].key'],
  );
});
