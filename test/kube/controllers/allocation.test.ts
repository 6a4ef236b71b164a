// The Service allocation admission plugin on its own: dynamic addresses above the static band,
// what an update keeps, what a type change releases, and node ports shared across protocols.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from '../../../src/apis/core.js';
import type { KubeObject } from '../../../src/apis/meta.js';
import type { AdmissionRequest } from '../../../src/kube/apiserver/admission.js';
import type { JsonObject } from '../../../src/kube/apiserver/json.js';
import { findResource } from '../../../src/kube/apiserver/resources.js';
import { serviceAllocationPlugin } from '../../../src/kube/controllers/serviceAllocation.js';

const SERVICES = findResource('', 'v1', 'services')!;

function admit(
  stored: Service[],
  object: JsonObject,
  oldObject?: Service,
  serviceCIDR = '10.96.0.0/12',
): JsonObject {
  const plugin = serviceAllocationPlugin(
    { serviceCIDR, nodePortRange: [30000, 30002] },
    () => stored as KubeObject[],
  );
  const req: AdmissionRequest = {
    operation: oldObject ? 'UPDATE' : 'CREATE',
    def: SERVICES,
    object,
    ...(oldObject ? { oldObject } : {}),
  };
  plugin.mutate!(req);
  return object;
}

const svc = (name: string, spec: JsonObject): JsonObject => ({
  metadata: { name, namespace: 'default' },
  spec,
});

test('dynamic ClusterIPs come from above the static band, skipping taken ones', () => {
  const taken: Service[] = [
    { metadata: { name: 'x', namespace: 'default' }, spec: { clusterIP: '10.96.1.1' } },
  ];
  const out = admit(taken, svc('a', { type: 'ClusterIP', ports: [{ port: 80 }] }));
  // 10.96.1.0 is valid but reads like a network address: it is kept for last.
  assert.deepEqual(
    [(out.spec as JsonObject).clusterIP, (out.spec as JsonObject).clusterIPs],
    ['10.96.1.2', ['10.96.1.2']],
  );
  // A hand-picked address in the static band is fine when free.
  const dns = admit(
    taken,
    svc('kube-dns', { type: 'ClusterIP', clusterIP: '10.96.0.10', ports: [{ port: 53 }] }),
  );
  assert.equal((dns.spec as JsonObject).clusterIP, '10.96.0.10');
  // A tiny range has no static band, and ends full.
  const tiny = (ip: string): Service => ({ metadata: { name: ip }, spec: { clusterIP: ip } });
  const small = (stored: Service[]): unknown =>
    (
      admit(stored, svc('s', { ports: [{ port: 80 }] }), undefined, '10.0.0.0/30')
        .spec as JsonObject
    ).clusterIP;
  assert.equal(small([]), '10.0.0.1');
  assert.equal(small([tiny('10.0.0.1')]), '10.0.0.2');
  assert.throws(() => small([tiny('10.0.0.1'), tiny('10.0.0.2')]), /range is full/);
});

test('an update keeps the address and node ports, and refuses to change the address', () => {
  const old: Service = {
    metadata: { name: 'a', namespace: 'default' },
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.1.5',
      ports: [{ port: 80, protocol: 'TCP', nodePort: 30001 }],
    },
  };
  const out = admit(
    [old],
    svc('a', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }] }),
    old,
  );
  assert.equal((out.spec as JsonObject).clusterIP, '10.96.1.5');
  assert.equal((out.spec as { ports: JsonObject[] }).ports[0]!.nodePort, 30001);
  assert.throws(
    () =>
      admit(
        [old],
        svc('a', { type: 'NodePort', clusterIP: '10.96.1.6', ports: [{ port: 80 }] }),
        old,
      ),
    /spec.clusterIP: Invalid value: "10.96.1.6": field is immutable/,
  );
  // Back to ClusterIP: the node ports are released.
  const back = admit(
    [old],
    svc('a', { type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', nodePort: 30001 }] }),
    old,
  );
  assert.equal((back.spec as { ports: JsonObject[] }).ports[0]!.nodePort, undefined);
});

test('53/TCP and 53/UDP share a node port; a full range is an error', () => {
  const out = admit(
    [],
    svc('dns', {
      type: 'NodePort',
      ports: [
        { name: 'udp', port: 53, protocol: 'UDP' },
        { name: 'tcp', port: 53, protocol: 'TCP' },
        { name: 'm', port: 9153 },
      ],
    }),
  );
  assert.deepEqual(
    (out.spec as { ports: JsonObject[] }).ports.map((p) => p.nodePort),
    [30000, 30000, 30001],
  );
  const full: Service[] = [30000, 30001, 30002].map((nodePort, i) => ({
    metadata: { name: `s${i}`, namespace: 'default' },
    spec: { type: 'NodePort', ports: [{ port: 80, nodePort }] },
  }));
  assert.throws(
    () => admit(full, svc('late', { type: 'LoadBalancer', ports: [{ port: 80 }] })),
    /failed to allocate a nodePort: range is full/,
  );
  // allocateLoadBalancerNodePorts: false asks for none.
  const lb = admit(
    full,
    svc('lb', {
      type: 'LoadBalancer',
      allocateLoadBalancerNodePorts: false,
      ports: [{ port: 80 }],
    }),
  );
  assert.equal((lb.spec as { ports: JsonObject[] }).ports[0]!.nodePort, undefined);
});
