import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/apis/index.js';
import { podResolvConf } from '../../../src/kube/kubelet/resolvconf.js';

const DNS = { server: '10.96.0.10', domain: 'cluster.local' };
const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'web' },
  spec: { containers: [{ name: 'c' }], ...spec },
});

test('ClusterFirst (the default): the cluster DNS with the namespace search path', () => {
  assert.equal(
    podResolvConf(pod(), DNS),
    'search web.svc.cluster.local svc.cluster.local cluster.local\n' +
      'nameserver 10.96.0.10\noptions ndots:5\n',
  );
});

test('dnsConfig adds to ClusterFirst; None takes only dnsConfig', () => {
  const dnsConfig = {
    nameservers: ['10.10.0.53'],
    searches: ['corp.example'],
    options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
  };
  assert.equal(
    podResolvConf(pod({ dnsConfig }), DNS),
    'search web.svc.cluster.local svc.cluster.local cluster.local corp.example\n' +
      'nameserver 10.96.0.10\nnameserver 10.10.0.53\noptions ndots:2 edns0\n',
  );
  assert.equal(
    podResolvConf(pod({ dnsPolicy: 'None', dnsConfig }), DNS),
    'search corp.example\nnameserver 10.10.0.53\noptions ndots:2 edns0\n',
  );
});

test('Default, hostNetwork, or no cluster DNS configured: the node resolver stays', () => {
  assert.equal(podResolvConf(pod({ dnsPolicy: 'Default' }), DNS), undefined);
  assert.equal(podResolvConf(pod({ hostNetwork: true }), DNS), undefined);
  assert.equal(podResolvConf(pod(), undefined), undefined);
});
