// LoadBalancer IPs (ServiceExternalIP): which Service gets which pool address, and the
// controller writing them through the status subresource of the embedded API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Service } from '../../src/apis/core.js';
import { assignments } from '../../src/controller/serviceexternalip/assign.js';
import { IPPool } from '../../src/controller/serviceexternalip/pool.js';
import { startServiceExternalIPController } from '../../src/controller/serviceexternalip/start.js';
import { ApiServer } from '../../src/kube/apiserver/server.js';

function svc(name: string, type: string, created: string, ip?: string): Service {
  return {
    metadata: { namespace: 'ns', name, creationTimestamp: created },
    spec: { type: type as 'LoadBalancer' },
    ...(ip ? { status: { loadBalancer: { ingress: [{ ip }] } } } : {}),
  };
}

const changes = (services: Service[], cidr = '172.18.1.0/29') =>
  assignments(services, cidr).map((a) => `${a.service.metadata.name}=${a.ip ?? 'none'}`);

test('the pool hands out host addresses lowest first', () => {
  const pool = new IPPool('172.18.1.0/30');
  assert.equal(pool.contains('172.18.1.0'), false, 'network address');
  assert.equal(pool.contains('172.18.1.3'), false, 'broadcast address');
  assert.deepEqual(
    [pool.allocate(), pool.allocate(), pool.allocate()],
    ['172.18.1.1', '172.18.1.2', undefined],
  );
  assert.throws(() => new IPPool('172.18.1.0'), /want an IPv4 CIDR/);
});

test('assignments: keep, allocate lowest free, resolve conflicts by age, give back, leave foreign', () => {
  assert.deepEqual(
    changes([
      svc('kept', 'LoadBalancer', '2026-01-01T00:00:01Z', '172.18.1.1'),
      svc('new', 'LoadBalancer', '2026-01-01T00:00:05Z'),
      svc('plain', 'ClusterIP', '2026-01-01T00:00:02Z'),
    ]),
    ['new=172.18.1.2'],
  );
  // Two Services claim .3 (e.g. written by hand): the older keeps it.
  assert.deepEqual(
    changes([
      svc('young', 'LoadBalancer', '2026-01-01T00:00:09Z', '172.18.1.3'),
      svc('old', 'LoadBalancer', '2026-01-01T00:00:01Z', '172.18.1.3'),
    ]),
    ['young=172.18.1.1'],
  );
  // No longer a LoadBalancer: the address goes back; an address from elsewhere stays.
  assert.deepEqual(
    changes([
      svc('was-lb', 'ClusterIP', '2026-01-01T00:00:01Z', '172.18.1.1'),
      svc('foreign', 'LoadBalancer', '2026-01-01T00:00:02Z', '192.0.2.7'),
    ]),
    ['was-lb=none'],
  );
  // /30: two addresses for three Services; the youngest waits.
  assert.deepEqual(
    changes(
      ['a', 'b', 'c'].map((n, i) => svc(n, 'LoadBalancer', `2026-01-01T00:00:0${i}Z`)),
      '172.18.1.0/30',
    ),
    ['a=172.18.1.1', 'b=172.18.1.2'],
  );
});

test('the controller writes EXTERNAL-IPs through the status subresource of the API server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'proxy-lb-'));
  const server = await ApiServer.start({ dataDir: join(dir, 'data') });
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  const core = kc.makeApiClient(CoreV1Api);
  const logs: string[] = [];
  const lb = await startServiceExternalIPController(kc, (m) => logs.push(m), '172.18.1.0/29');
  const ipOf = async (name: string) =>
    (await core.readNamespacedService({ namespace: 'default', name })).status?.loadBalancer
      ?.ingress?.[0]?.ip;
  const until = async (what: string, ok: () => Promise<boolean>) => {
    for (const end = Date.now() + 10_000; !(await ok());) {
      if (Date.now() > end) throw new Error(`${what}: not after 10 s (${logs.join('; ')})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const create = (name: string, type: string, clusterIP: string) =>
    core.createNamespacedService({
      namespace: 'default',
      body: {
        metadata: { name },
        spec: { type, clusterIP, ports: [{ port: 80, protocol: 'TCP' }] },
      },
    });
  try {
    await create('nginx-svc', 'LoadBalancer', '10.96.0.50');
    await create('cassandra', 'ClusterIP', '10.96.0.51');
    await until('nginx-svc gets an IP', async () => (await ipOf('nginx-svc')) === '172.18.1.1');
    await create('second', 'LoadBalancer', '10.96.0.52');
    await until('second gets the next', async () => (await ipOf('second')) === '172.18.1.2');
    assert.equal(await ipOf('cassandra'), undefined);

    // Deleted: its address is free for the next LoadBalancer Service.
    await core.deleteNamespacedService({ namespace: 'default', name: 'nginx-svc' });
    await create('third', 'LoadBalancer', '10.96.0.53');
    await until('third reuses .1', async () => (await ipOf('third')) === '172.18.1.1');
    assert.equal(await ipOf('second'), '172.18.1.2', 'untouched');
  } finally {
    lb.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
