// Services against the real embedded API server: ClusterIP and NodePort allocation at create
// time (kept on update, refused when taken or out of range, as kubectl shows it), and the
// Endpoints controller (ready and not-ready pods, named target ports, nodeName, targetRef).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { Ipv4Range } from '../../../src/kube/controllers/ipv4Range.js';
import { ControllerCluster, SERVICE_CIDR, table, until } from './cluster.js';

let c: ControllerCluster;

const NGINX_SVC = `
apiVersion: v1
kind: Service
metadata: {name: nginx-svc, labels: {app: nginx}}
spec:
  type: LoadBalancer
  selector: {app: nginx}
  ports:
  - {name: http, port: 80, targetPort: web}
  - {name: https, port: 443, targetPort: web-tls}
`;

/** A pod serving the named ports `web` and `web-tls` on `web` and `web` + 363. */
function pod(name: string, web: number, node: string): V1Pod {
  const ports = [
    { name: 'web', containerPort: web },
    { name: 'web-tls', containerPort: web + 363 },
  ];
  return {
    metadata: { name, labels: { app: 'nginx' } },
    spec: { nodeName: node, containers: [{ name: 'nginx', image: 'nginx', ports }] },
  };
}

function manifest(kind: string, name: string, spec: string): string {
  return `{"apiVersion": "v1", "kind": "${kind}", "metadata": {"name": "${name}"}, "spec": ${spec}}`;
}

before(async () => {
  c = await ControllerCluster.start({ controllers: ['endpoints'] });
});

after(async () => {
  await c.stop();
});

test('a LoadBalancer Service gets a ClusterIP from the service CIDR and node ports', async () => {
  const applied = await c.kubectl('apply', '-f', c.harness.manifest('svc.yaml', NGINX_SVC));
  assert.equal(applied.code, 0, applied.stderr);
  const svc = await c.core.readNamespacedService({ namespace: 'default', name: 'nginx-svc' });
  const ip = svc.spec!.clusterIP!;
  assert.deepEqual(svc.spec!.clusterIPs, [ip]);
  assert.notEqual(new Ipv4Range(SERVICE_CIDR).offsetOf(ip), undefined, ip);
  assert.notEqual(ip, '10.96.0.1');
  const nodePorts = svc.spec!.ports!.map((p) => p.nodePort!);
  for (const p of nodePorts) assert.ok(p >= 30000 && p <= 32767, String(p));
  assert.notEqual(nodePorts[0], nodePorts[1]);

  const out = await c.kubectl('get', 'svc');
  const rows = table(out.stdout);
  assert.deepEqual(rows.find((r) => r[0] === 'kubernetes')!.slice(1, 3), [
    'ClusterIP',
    '10.96.0.1',
  ]);
  const row = rows.find((r) => r[0] === 'nginx-svc')!;
  assert.deepEqual(row.slice(1, 3), ['LoadBalancer', ip]);
  assert.equal(row[4], `80:${nodePorts[0]}/TCP,443:${nodePorts[1]}/TCP`);

  // A second apply with a changed field keeps the allocated address and ports.
  const changed = await c.kubectl(
    'apply',
    '-f',
    c.harness.manifest('svc2.yaml', NGINX_SVC.replace('app: nginx}}', 'app: nginx, tier: web}}')),
  );
  assert.equal(changed.code, 0, changed.stderr);
  assert.match(changed.stdout, /configured/);
  const again = await c.core.readNamespacedService({ namespace: 'default', name: 'nginx-svc' });
  assert.equal(again.spec!.clusterIP, ip);
  assert.deepEqual(
    again.spec!.ports!.map((p) => p.nodePort),
    nodePorts,
  );
});

test('a taken or out-of-range address or node port is refused with 422', async () => {
  const svc = await c.core.readNamespacedService({ namespace: 'default', name: 'nginx-svc' });
  const used = svc.spec!.ports![0]!.nodePort!;
  // One kubectl run: it reports each refused object and creates the valid one.
  const services = [
    manifest('Service', 'dup', '{"clusterIP": "10.96.0.1", "ports": [{"port": 80}]}'),
    manifest('Service', 'far', '{"clusterIP": "192.168.0.1", "ports": [{"port": 80}]}'),
    manifest('Service', 'np', `{"type": "NodePort", "ports": [{"port": 80, "nodePort": ${used}}]}`),
    manifest(
      'Service',
      'hl',
      '{"clusterIP": "None", "selector": {"app": "x"}, "ports": [{"port": 80}]}',
    ),
  ];
  const list = `{"apiVersion": "v1", "kind": "List", "items": [${services.join(',')}]}`;
  const out = await c.kubectl('create', '-f', c.harness.manifest('services.json', list));
  assert.notEqual(out.code, 0);
  assert.match(
    out.stderr,
    /Service "dup" is invalid: spec.clusterIPs\[0\]: Invalid value: "10.96.0.1": provided IP is already allocated/,
  );
  assert.match(
    out.stderr,
    /Service "far" is invalid: spec.clusterIPs\[0\]: Invalid value: "192.168.0.1": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0\/12/,
  );
  assert.match(
    out.stderr,
    new RegExp(
      `Service "np" is invalid: spec.ports\\[0\\].nodePort: Invalid value: ${used}: provided port is already allocated`,
    ),
  );
  assert.match(out.stdout, /service\/hl created/);
  const hl = await c.core.readNamespacedService({ namespace: 'default', name: 'hl' });
  assert.deepEqual(hl.spec!.clusterIPs, ['None']);
});

test('Endpoints list ready and not-ready pods with their resolved target ports', async () => {
  await c.core.createNamespacedPod({ namespace: 'default', body: pod('web-a', 8080, 'worker1') });
  await c.core.createNamespacedPod({ namespace: 'default', body: pod('web-b', 8080, 'worker2') });
  await c.core.createNamespacedPod({ namespace: 'default', body: pod('web-c', 9090, 'worker2') });
  await c.reportPod('default', 'web-a', '10.10.1.5');
  await c.reportPod('default', 'web-b', '10.10.2.6');
  await c.reportPod('default', 'web-c', '10.10.2.7', false);

  await until('endpoints with 3 pods', async () => {
    const ep = await c.core
      .readNamespacedEndpoints({ namespace: 'default', name: 'nginx-svc' })
      .catch(() => undefined);
    const subsets = ep?.subsets ?? [];
    return (
      subsets.flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]).length === 3
    );
  });
  const ep = await c.core.readNamespacedEndpoints({ namespace: 'default', name: 'nginx-svc' });
  assert.equal(ep.metadata!.labels!.app, 'nginx');
  // web-a and web-b serve `web` on 8080 and `web-tls` on 8443; web-c (not ready) on 9090
  // and 9453: two subsets, as kube packs them.
  const subsets = ep.subsets!.map((s) => ({
    ready: (s.addresses ?? []).map((a) => `${a.ip}@${a.nodeName}/${a.targetRef!.name}`),
    notReady: (s.notReadyAddresses ?? []).map((a) => a.ip),
    ports: s.ports!.map((p) => `${p.name}:${p.port}/${p.protocol}`),
  }));
  assert.deepEqual(subsets, [
    {
      ready: ['10.10.1.5@worker1/web-a', '10.10.2.6@worker2/web-b'],
      notReady: [],
      ports: ['http:8080/TCP', 'https:8443/TCP'],
    },
    { ready: [], notReady: ['10.10.2.7'], ports: ['http:9090/TCP', 'https:9453/TCP'] },
  ]);
  const out = await c.kubectl('get', 'endpoints', 'nginx-svc');
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(table(out.stdout)[1]!.slice(0, 2), [
    'nginx-svc',
    '10.10.1.5:8080,10.10.2.6:8080,10.10.1.5:8443 + 1 more...',
  ]);
});

test('a pod that turns Ready or loses its label moves in the Endpoints', async () => {
  await c.reportPod('default', 'web-c', '10.10.2.7', true);
  await c.kubectl('label', 'pod', 'web-a', 'app=other', '--overwrite');
  await until('web-c ready, web-a gone', async () => {
    const ep = await c.core.readNamespacedEndpoints({ namespace: 'default', name: 'nginx-svc' });
    const ready = (ep.subsets ?? [])
      .flatMap((s) => (s.addresses ?? []).map((a) => a.targetRef!.name))
      .sort();
    const notReady = (ep.subsets ?? []).flatMap((s) => s.notReadyAddresses ?? []);
    return ready.join() === 'web-b,web-c' && notReady.length === 0;
  });
  // The `kubernetes` Endpoints (no selector) are the API server's, left alone.
  const k = await c.core.readNamespacedEndpoints({ namespace: 'default', name: 'kubernetes' });
  assert.equal(k.subsets![0]!.addresses![0]!.ip, '127.0.0.1');
});

test('deleting the Service deletes its Endpoints', async () => {
  await c.core.deleteNamespacedService({ namespace: 'default', name: 'nginx-svc' });
  await until('endpoints gone', async () => {
    const list = await c.core.listNamespacedEndpoints({ namespace: 'default' });
    return !list.items.some((e) => e.metadata!.name === 'nginx-svc');
  });
});
