import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatFieldError,
  formatInvalid,
  toStatusCause,
  type FieldError,
} from '../../src/apis/validation/index.js';

test('each error type renders like kube field.Error', () => {
  const cases: [FieldError, string][] = [
    [
      {
        type: 'Invalid',
        field: 'spec.ingress[0].ports[1].endPort',
        value: 79,
        detail: 'must be greater than or equal to `port`',
      },
      'spec.ingress[0].ports[1].endPort: Invalid value: 79: must be greater than or equal to `port`',
    ],
    [
      { type: 'Required', field: 'spec.ports', value: 'ignored', detail: '' },
      'spec.ports: Required value',
    ],
    [
      { type: 'Required', field: 'spec.ingress[0].from[0]', detail: 'must specify a peer' },
      'spec.ingress[0].from[0]: Required value: must specify a peer',
    ],
    [
      {
        type: 'NotSupported',
        field: 'spec.policyTypes[0]',
        value: 'Foo',
        detail: 'supported values: "Ingress", "Egress"',
      },
      'spec.policyTypes[0]: Unsupported value: "Foo": supported values: "Ingress", "Egress"',
    ],
    [
      {
        type: 'Forbidden',
        field: 'metadata.namespace',
        value: 'x',
        detail: 'not allowed on this type',
      },
      'metadata.namespace: Forbidden: not allowed on this type',
    ],
    [
      { type: 'Duplicate', field: 'spec.ports[1].name', value: 'http', detail: '' },
      'spec.ports[1].name: Duplicate value: "http"',
    ],
    [
      {
        type: 'TooLong',
        field: 'metadata.annotations',
        value: 'x',
        detail: 'must have at most 262144 bytes',
      },
      'metadata.annotations: Too long: must have at most 262144 bytes',
    ],
  ];
  for (const [e, want] of cases) assert.equal(formatFieldError(e), want);
});

test('values print like Go: strings %q, numbers and booleans bare, nil as null', () => {
  const body = (value: unknown) =>
    formatFieldError({ type: 'Invalid', field: 'f', value, detail: 'd' });
  assert.equal(body(2.5), 'f: Invalid value: 2.5: d');
  assert.equal(body(true), 'f: Invalid value: true: d');
  assert.equal(body(undefined), 'f: Invalid value: null: d');
  assert.equal(body('say "hi"\n\x01'), 'f: Invalid value: "say \\"hi\\"\\n\\x01": d');
  assert.equal(body('naïve'), 'f: Invalid value: "naïve": d');
});

test('formatInvalid: one error inline, several as [a, b], duplicates dropped', () => {
  const a: FieldError = { type: 'Required', field: 'spec.ports', detail: '' };
  const b: FieldError = { type: 'Invalid', field: 'metadata.name', value: 'X', detail: 'bad' };
  assert.equal(
    formatInvalid('Service', 'web', [a]),
    'The Service "web" is invalid: spec.ports: Required value',
  );
  assert.equal(
    formatInvalid('NetworkPolicy.networking.k8s.io', 'np', [a, b, a]),
    'The NetworkPolicy.networking.k8s.io "np" is invalid: [spec.ports: Required value, metadata.name: Invalid value: "X": bad]',
  );
});

test('toStatusCause carries kube cause type, body and field', () => {
  assert.deepEqual(
    toStatusCause({
      type: 'NotSupported',
      field: 'spec.type',
      value: 'X',
      detail: 'supported values: "A"',
    }),
    {
      reason: 'FieldValueNotSupported',
      message: 'Unsupported value: "X": supported values: "A"',
      field: 'spec.type',
    },
  );
});
