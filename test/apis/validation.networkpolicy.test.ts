import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatFieldError,
  formatInvalid,
  validateNetworkPolicy,
} from '../../src/apis/validation/index.js';
import type {
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from '../../src/apis/networking.js';

const np = (spec: Partial<NetworkPolicy['spec']>): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'np', namespace: 'default' },
  spec: { podSelector: {}, ...spec },
});
const check = (spec: Partial<NetworkPolicy['spec']>) =>
  validateNetworkPolicy(np(spec)).map(formatFieldError);
const ports = (...p: NetworkPolicyPort[]) => check({ ingress: [{ ports: p }] });
const peers = (...from: NetworkPolicyPeer[]) => check({ ingress: [{ from }] });
const RANGE = 'must be between 1 and 65535, inclusive';
const CIDR = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

test('a full, valid policy passes', () => {
  assert.deepEqual(
    check({
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: { role: 'client' } }, namespaceSelector: {} },
            { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24'] } },
            { ipBlock: { cidr: 'fd00::/64', except: ['fd00::/80'] } },
          ],
          ports: [
            { protocol: 'TCP', port: 80, endPort: 90 },
            { protocol: 'UDP', port: 'dns' },
            { protocol: 'SCTP' },
          ],
        },
      ],
      egress: [
        { to: [{ namespaceSelector: { matchLabels: { team: 'a' } } }], ports: [{ port: 65535 }] },
      ],
    }),
    [],
  );
});

test('ports: protocol, number range, endPort rules', () => {
  assert.deepEqual(ports({ protocol: 'ICMP' as 'TCP' }), [
    'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
  ]);
  assert.deepEqual(ports({ port: 0 }), [
    `spec.ingress[0].ports[0].port: Invalid value: 0: ${RANGE}`,
  ]);
  assert.deepEqual(ports({ port: 65536 }), [
    `spec.ingress[0].ports[0].port: Invalid value: 65536: ${RANGE}`,
  ]);
  assert.deepEqual(ports({ port: 80, endPort: 80 }), []);
  assert.deepEqual(ports({ port: 80, endPort: 79 }), [
    'spec.ingress[0].ports[0].endPort: Invalid value: 79: must be greater than or equal to `port`',
  ]);
  assert.deepEqual(ports({ port: 80, endPort: 70000 }), [
    `spec.ingress[0].ports[0].endPort: Invalid value: 70000: ${RANGE}`,
  ]);
  assert.deepEqual(ports({ port: 'http', endPort: 90 }), [
    'spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
  ]);
  assert.deepEqual(ports({ endPort: 90 }), [
    'spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is not specified',
  ]);
});

test('named ports are IANA service names', () => {
  assert.deepEqual(ports({ port: 'http-alt' }, { port: 'h2c' }, { port: 'a1' }), []);
  const p = (name: string) =>
    ports({ port: name }).map((m) =>
      m.replace(`spec.ingress[0].ports[0].port: Invalid value: "${name}": `, ''),
    );
  assert.deepEqual(p('HTTP'), [
    'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    'must contain at least one letter (a-z)',
  ]);
  assert.deepEqual(p('8080'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(p('a--b'), ['must not contain consecutive hyphens']);
  assert.deepEqual(p('-web'), ['must not begin or end with a hyphen']);
  assert.deepEqual(p('web-'), ['must not begin or end with a hyphen']);
  assert.deepEqual(p('abcdefghijklmnop'), ['must be no more than 15 characters']);
});

test('peers: at least one selector, ipBlock alone', () => {
  assert.deepEqual(peers({}), ['spec.ingress[0].from[0]: Required value: must specify a peer']);
  assert.deepEqual(peers({ podSelector: {}, namespaceSelector: {} }), []);
  assert.deepEqual(peers({ podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }), [
    'spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer',
  ]);
  assert.deepEqual(
    check({ egress: [{ to: [{ namespaceSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
    ['spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer'],
  );
  assert.deepEqual(peers({ namespaceSelector: { matchLabels: { '/team': 'a' } } }), [
    'spec.ingress[0].from[0].namespaceSelector.matchLabels: Invalid value: "/team": prefix part must be non-empty',
  ]);
});

test('ipBlock: cidr required and valid, each except a strict subset', () => {
  assert.deepEqual(peers({ ipBlock: { cidr: '' } }), [
    'spec.ingress[0].from[0].ipBlock.cidr: Required value',
  ]);
  assert.deepEqual(peers({ ipBlock: { cidr: '10.0.0.0/33' } }), [
    `spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": ${CIDR}`,
  ]);
  assert.deepEqual(peers({ ipBlock: { cidr: '10.0.0.1' } }), [
    `spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.1": ${CIDR}`,
  ]);
  assert.deepEqual(
    peers({
      ipBlock: {
        cidr: '10.0.0.0/16',
        except: ['10.0.5.0/24', '10.1.0.0/24', '10.0.0.0/16', 'fd00::/64', 'x'],
      },
    }),
    [
      'spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`',
      'spec.ingress[0].from[0].ipBlock.except[2]: Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`',
      'spec.ingress[0].from[0].ipBlock.except[3]: Invalid value: "fd00::/64": must be a strict subset of `cidr`',
      `spec.ingress[0].from[0].ipBlock.except[4]: Invalid value: "x": ${CIDR}`,
    ],
  );
});

test('policyTypes: only Ingress and Egress, at most two', () => {
  assert.deepEqual(check({ policyTypes: ['Egress'] }), []);
  assert.deepEqual(check({ policyTypes: ['Ingress', 'Foo' as 'Egress'] }), [
    'spec.policyTypes[1]: Unsupported value: "Foo": supported values: "Ingress", "Egress"',
  ]);
  assert.deepEqual(check({ policyTypes: ['Ingress', 'Egress', 'Ingress'] }), [
    'spec.policyTypes: Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: may not specify more than two policyTypes',
  ]);
});

test('podSelector and metadata errors, rendered as kubectl shows them', () => {
  const bad: NetworkPolicy = {
    ...np({ podSelector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }),
    metadata: { name: 'np' },
  };
  assert.equal(
    formatInvalid('NetworkPolicy.networking.k8s.io', 'np', validateNetworkPolicy(bad)),
    'The NetworkPolicy.networking.k8s.io "np" is invalid: [metadata.namespace: Required value, ' +
      "spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn']",
  );
});
