import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatFieldError,
  validateNamespace,
  validateObject,
  validatePod,
  validateService,
} from '../../src/apis/validation/index.js';
import type { Container, Pod, Service } from '../../src/apis/core.js';
import type { KubeObject } from '../../src/apis/meta.js';

const WEB: Container = {
  name: 'web',
  image: 'nginx',
  ports: [{ name: 'http', containerPort: 80 }],
};
const pod = (spec: Partial<NonNullable<Pod['spec']>>) =>
  validatePod({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [WEB], ...spec },
  }).map(formatFieldError);
const svc = (spec: NonNullable<Service['spec']>, name = 'web') =>
  validateService({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec,
  }).map(formatFieldError);
const RANGE = 'must be between 1 and 65535, inclusive';
const PROTOCOLS = 'supported values: "SCTP", "TCP", "UDP"';

test('Namespace: cluster-scoped DNS-1123 label', () => {
  const ns = (name: string, namespace?: string) =>
    validateNamespace({ kind: 'Namespace', metadata: { name, namespace } }).map(formatFieldError);
  assert.deepEqual(ns('kube-system'), []);
  assert.deepEqual(ns('team.a'), ['metadata.name: Invalid value: "team.a": must not contain dots']);
  assert.deepEqual(ns('a', 'b'), ['metadata.namespace: Forbidden: not allowed on this type']);
});

test('Pod: containers required, named by unique labels, with an image', () => {
  assert.deepEqual(
    pod({ initContainers: [{ name: 'init', image: 'busybox' }], restartPolicy: 'Never' }),
    [],
  );
  assert.deepEqual(pod({ containers: [] }), ['spec.containers: Required value']);
  assert.deepEqual(pod({ containers: [{ name: 'Web', image: 'x' }] }), [
    "spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.deepEqual(pod({ containers: [{ name: '', image: 'x' }] }), [
    'spec.containers[0].name: Required value',
  ]);
  assert.deepEqual(pod({ containers: [WEB, { ...WEB, ports: [] }] }), [
    'spec.containers[1].name: Duplicate value: "web"',
  ]);
  assert.deepEqual(pod({ initContainers: [{ name: 'web', image: 'x' }] }), [
    'spec.initContainers[0].name: Duplicate value: "web"',
  ]);
  assert.deepEqual(pod({ containers: [{ name: 'web' }] }), [
    'spec.containers[0].image: Required value',
  ]);
});

test('Pod: container ports', () => {
  const ports = (...p: NonNullable<Container['ports']>) =>
    pod({ containers: [{ ...WEB, ports: p }] });
  assert.deepEqual(
    ports(
      { containerPort: 53, protocol: 'UDP', hostPort: 5353 },
      { name: 'dns-tcp', containerPort: 53 },
    ),
    [],
  );
  assert.deepEqual(ports({ containerPort: 70000 }), [
    `spec.containers[0].ports[0].containerPort: Invalid value: 70000: ${RANGE}`,
  ]);
  assert.deepEqual(ports({ containerPort: 0 }), [
    'spec.containers[0].ports[0].containerPort: Required value',
  ]);
  assert.deepEqual(ports({ containerPort: 80, hostPort: 70000 }), [
    `spec.containers[0].ports[0].hostPort: Invalid value: 70000: ${RANGE}`,
  ]);
  assert.deepEqual(ports({ containerPort: 80, protocol: 'ICMP' as 'TCP' }), [
    `spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": ${PROTOCOLS}`,
  ]);
  assert.deepEqual(
    ports({ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81 }),
    ['spec.containers[0].ports[1].name: Duplicate value: "http"'],
  );
  assert.deepEqual(ports({ name: 'HTTP', containerPort: 80 }), [
    'spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    'spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain at least one letter (a-z)',
  ]);
});

test('Pod: restartPolicy, hostname, nodeSelector', () => {
  assert.deepEqual(pod({ restartPolicy: 'Sometimes' as 'Never' }), [
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  ]);
  assert.deepEqual(
    pod({ hostname: 'web-0', subdomain: 'web', nodeSelector: { 'kubernetes.io/os': 'linux' } }),
    [],
  );
  assert.deepEqual(pod({ hostname: 'web.0' }), [
    'spec.hostname: Invalid value: "web.0": must not contain dots',
  ]);
  assert.deepEqual(pod({ nodeSelector: { '/os': 'linux' } }), [
    'spec.nodeSelector: Invalid value: "/os": prefix part must be non-empty',
  ]);
});

test('Service: DNS-1035 name, ports, type, selector, nodePort', () => {
  const port = { name: 'http', port: 80, targetPort: 'http' };
  assert.deepEqual(
    svc({
      selector: { app: 'web' },
      ports: [port, { name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 }],
    }),
    [],
  );
  assert.deepEqual(svc({ ports: [port] }, '1web'), [
    "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.deepEqual(svc({}), ['spec.ports: Required value']);
  assert.deepEqual(svc({ clusterIP: 'None' }), []);
  assert.deepEqual(svc({ ports: [{ port: 0 }] }), [
    `spec.ports[0].port: Invalid value: 0: ${RANGE}`,
    `spec.ports[0].targetPort: Invalid value: 0: ${RANGE}`,
  ]);
  assert.deepEqual(svc({ ports: [{ port: 80, protocol: 'ICMP' as 'TCP' }] }), [
    `spec.ports[0].protocol: Unsupported value: "ICMP": ${PROTOCOLS}`,
  ]);
  assert.deepEqual(svc({ ports: [{ port: 80 }, { port: 81 }] }), [
    'spec.ports[0].name: Required value',
    'spec.ports[1].name: Required value',
  ]);
  assert.deepEqual(svc({ ports: [port, { ...port, port: 81 }] }), [
    'spec.ports[1].name: Duplicate value: "http"',
  ]);
  assert.deepEqual(svc({ ports: [{ port: 80, targetPort: 'HTTP-' }] }), [
    'spec.ports[0].targetPort: Invalid value: "HTTP-": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    'spec.ports[0].targetPort: Invalid value: "HTTP-": must contain at least one letter (a-z)',
    'spec.ports[0].targetPort: Invalid value: "HTTP-": must not begin or end with a hyphen',
  ]);
  assert.deepEqual(svc({ type: 'Weird' as 'NodePort', ports: [port] }), [
    'spec.type: Unsupported value: "Weird": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
  assert.deepEqual(svc({ ports: [{ ...port, nodePort: 30080 }] }), [
    "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
  ]);
  assert.deepEqual(svc({ type: 'NodePort', ports: [{ ...port, nodePort: 30080 }] }), []);
  assert.deepEqual(svc({ ports: [port], selector: { '/app': 'web' } }), [
    'spec.selector: Invalid value: "/app": prefix part must be non-empty',
  ]);
});

test('validateObject dispatches on apiVersion and kind', () => {
  const v = (o: object) => validateObject(o as KubeObject).map(formatFieldError);
  const bad = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'np', namespace: 'd' },
  };
  assert.deepEqual(v({ ...bad, spec: { podSelector: {}, policyTypes: ['Foo'] } }), [
    'spec.policyTypes[0]: Unsupported value: "Foo": supported values: "Ingress", "Egress"',
  ]);
  const annp = {
    apiVersion: 'crd.antrea.io/v1beta1',
    kind: 'NetworkPolicy',
    metadata: { name: 'a' },
  };
  assert.deepEqual(v({ ...annp, spec: { priority: 1, appliedTo: [{ podSelector: {} }] } }), [
    'metadata.namespace: Required value',
  ]);
  assert.deepEqual(
    v({
      apiVersion: 'crd.antrea.io/v1alpha1',
      kind: 'Tier',
      metadata: { name: 't' },
      spec: { priority: 251 },
    }),
    ['spec.priority: Invalid value: 251: tier t priority 251 is reserved'],
  );
  assert.deepEqual(v({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }), [
    'metadata.name: Invalid value: "a.b": must not contain dots',
  ]);
  assert.deepEqual(v({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', namespace: 'x' } }), [
    'metadata.namespace: Forbidden: not allowed on this type',
  ]);
  assert.deepEqual(
    v({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: 'anything' }),
    ['metadata.namespace: Required value'],
  );
  // Unknown kinds: metadata only, scope unknown.
  assert.deepEqual(
    v({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'x' },
      spec: 1,
    }),
    [],
  );
  assert.deepEqual(v({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: {} }), [
    'metadata.name: Required value: name or generateName is required',
  ]);
});
