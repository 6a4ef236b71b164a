// Services and Endpoints → A records, as CoreDNS's kubernetes plugin names them, and the table
// the server answers from.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoints, Service } from '../../../src/apis/core.js';
import { RecordTable, type RecordChange } from '../../../src/kube/dns/records.js';
import { ServiceRecords } from '../../../src/kube/dns/services.js';

function recorder(): { records: ServiceRecords; changes: RecordChange[]; table: RecordTable } {
  const changes: RecordChange[] = [];
  const table = new RecordTable();
  const records = new ServiceRecords('cluster.local', (c) => {
    changes.push(c);
    table.apply(c);
  });
  return { records, changes, table };
}

const service = (name: string, namespace: string, spec: Service['spec']): Service => ({
  metadata: { name, namespace },
  spec,
});

const endpoints = (
  name: string,
  namespace: string,
  addresses: { ip: string; hostname?: string }[],
): Endpoints => ({ metadata: { name, namespace }, subsets: [{ addresses }] });

test('a ClusterIP Service is its ClusterIP, and goes with the Service', () => {
  const { records, changes, table } = recorder();
  records.upsertService(service('nginx-svc', 'default', { clusterIP: '10.96.10.7' }));
  assert.deepEqual(table.lookup('nginx-svc.default.svc.cluster.local'), ['10.96.10.7']);
  assert.deepEqual(table.lookup('NGINX-SVC.default.svc.cluster.local.'), ['10.96.10.7']);
  // Endpoints do not change a ClusterIP Service's record: nothing is emitted.
  records.upsertEndpoints(endpoints('nginx-svc', 'default', [{ ip: '10.10.1.2' }]));
  assert.equal(changes.length, 1);
  records.deleteService(service('nginx-svc', 'default', {}));
  assert.equal(table.lookup('nginx-svc.default.svc.cluster.local'), undefined);
  assert.deepEqual(changes.at(-1), { name: 'nginx-svc.default.svc.cluster.local', ips: [] });
});

test('a headless Service is its ready endpoints, each with a hostname also by name', () => {
  const { records, table } = recorder();
  records.upsertEndpoints(
    endpoints('cassandra', 'cassandra', [
      { ip: '10.10.2.6', hostname: 'cassandra-1' },
      { ip: '10.10.1.4', hostname: 'cassandra-0' },
    ]),
  );
  assert.equal(table.size, 0, 'no Service yet');
  records.upsertService(service('cassandra', 'cassandra', { clusterIP: 'None' }));
  assert.deepEqual(table.lookup('cassandra.cassandra.svc.cluster.local'), [
    '10.10.1.4',
    '10.10.2.6',
  ]);
  assert.deepEqual(table.lookup('cassandra-1.cassandra.cassandra.svc.cluster.local'), [
    '10.10.2.6',
  ]);
  records.upsertEndpoints(
    endpoints('cassandra', 'cassandra', [{ ip: '10.10.1.4', hostname: 'cassandra-0' }]),
  );
  assert.equal(table.lookup('cassandra-1.cassandra.cassandra.svc.cluster.local'), undefined);
  assert.deepEqual(table.lookup('cassandra.cassandra.svc.cluster.local'), ['10.10.1.4']);
  records.deleteEndpoints(endpoints('cassandra', 'cassandra', []));
  assert.equal(table.size, 0, 'a headless Service without endpoints has no name');
});

test('ExternalName and IP-less Services get no record', () => {
  const { records, changes } = recorder();
  records.upsertService(service('ext', 'default', { type: 'ExternalName' }));
  records.upsertService(service('pending', 'default', {}));
  assert.deepEqual(changes, []);
});

test('a new feed replaces the whole table', () => {
  const table = new RecordTable();
  table.apply({ name: 'a.default.svc.cluster.local', ips: ['10.96.0.20'] });
  table.reset([{ name: 'b.default.svc.cluster.local', ips: ['10.96.0.21'] }]);
  assert.equal(table.lookup('a.default.svc.cluster.local'), undefined);
  assert.deepEqual(table.lookup('b.default.svc.cluster.local'), ['10.96.0.21']);
});
