// IPAM over a PodCIDR, the interface store's indexes and external_ids round trip, host-end names.
import { intToIPv4 } from '../../src/util/ipv4.js';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostInterfaceName } from '../../src/agent/cniserver/ifname.js';
import { containerExternalIds, fromRecord } from '../../src/agent/interfacestore/externalids.js';
import { InterfaceStore } from '../../src/agent/interfacestore/store.js';
import type { ContainerInterface } from '../../src/agent/interfacestore/types.js';
import { Ipam, IpamExhaustedError } from '../../src/agent/ipam/ipam.js';
import { PodSubnet } from '../../src/agent/ipam/subnet.js';

const dir = mkdtempSync(join(tmpdir(), 'ipamtest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the subnet reserves network, gateway (first address) and broadcast', () => {
  const s = PodSubnet.parse('10.10.1.7/24');
  assert.deepEqual(
    [s.cidr, s.gateway, intToIPv4(s.first), intToIPv4(s.last)],
    ['10.10.1.0/24', '10.10.1.1', '10.10.1.2', '10.10.1.254'],
  );
  assert.throws(() => PodSubnet.parse('10.0.0.0/31'), /no address for pods/);
  assert.throws(() => PodSubnet.parse('fd00::/64'), /not an IPv4 CIDR/);
});

test('allocation is unique, idempotent per attachment, round-robin, persisted', () => {
  const file = join(dir, 'rr.json');
  const ipam = Ipam.open(file, PodSubnet.parse('10.0.0.0/29'));
  const a = ipam.allocate('a', 'eth0');
  assert.equal(a, '10.0.0.2');
  assert.equal(ipam.allocate('a', 'eth0'), a, 'same attachment, same address');
  assert.equal(ipam.allocate('b', 'eth0'), '10.0.0.3');
  assert.deepEqual(ipam.release('a'), ['10.0.0.2']);
  assert.equal(ipam.allocate('c', 'eth0'), '10.0.0.4', 'a released address is not reused at once');
  const reopened = Ipam.open(file, PodSubnet.parse('10.0.0.0/29'));
  assert.deepEqual(
    reopened.list().map((x) => `${x.ip}=${x.containerId}`),
    ['10.0.0.3=b', '10.0.0.4=c'],
  );
  assert.equal(
    reopened.allocate('d', 'eth0'),
    '10.0.0.5',
    'the round-robin position survives a restart',
  );
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).cidr, '10.0.0.0/29');
});

test('an exhausted range names its CIDR', () => {
  const ipam = Ipam.open(join(dir, 'full.json'), PodSubnet.parse('10.0.0.0/30'));
  ipam.allocate('only', 'eth0');
  assert.throws(
    () => ipam.allocate('more', 'eth0'),
    (e: unknown) => {
      assert.ok(e instanceof IpamExhaustedError);
      assert.match(e.message, /10\.0\.0\.0\/30/);
      return true;
    },
  );
});

test('reconcile keeps what OVSDB has and releases the rest', () => {
  const ipam = Ipam.open(join(dir, 'rec.json'), PodSubnet.parse('10.0.0.0/28'));
  ipam.allocate('live', 'eth0');
  ipam.allocate('half-added', 'eth0');
  const { released, restored } = ipam.reconcile([
    { ip: '10.0.0.2', containerId: 'live', ifName: 'eth0' },
    { ip: '10.0.0.9', containerId: 'lost-from-file', ifName: 'eth0' },
  ]);
  assert.deepEqual(
    released.map((a) => a.containerId),
    ['half-added'],
  );
  assert.deepEqual(
    restored.map((a) => a.containerId),
    ['lost-from-file'],
  );
  assert.deepEqual(
    ipam.list().map((a) => a.ip),
    ['10.0.0.2', '10.0.0.9'],
  );
});

test('host-end names: 8 characters of the pod name, a dash, 6 hex of the container', () => {
  const name = hostInterfaceName('nginx-deployment-cc7df4f8f-69cm2', 'f3d429a49c6e');
  assert.match(name, /^nginx-de-[0-9a-f]{6}$/);
  assert.match(hostInterfaceName('db', 'x'), /^db-[0-9a-f]{6}$/, 'short names are kept whole');
  assert.notEqual(hostInterfaceName('db', 'x'), hostInterfaceName('db', 'y'));
  assert.ok(hostInterfaceName('a-very-long-pod-name', 'z').length <= 15);
});

const pod = (
  name: string,
  containerId: string,
  ip: string,
  ofport: number,
): ContainerInterface => ({
  kind: 'container',
  name: hostInterfaceName(name, containerId),
  portUUID: `uuid-${containerId}`,
  ofport,
  ips: [ip],
  mac: '02:00:00:00:00:01',
  containerId,
  podNamespace: 'default',
  podName: name,
  ifDev: 'eth0',
});

test('the store indexes by name, container, pod, IP and ofport', () => {
  const store = new InterfaceStore();
  const a = pod('web', 'c1', '10.0.0.2', 3);
  const b = pod('web', 'c2', '10.0.0.3', 4); // a second sandbox of the same pod
  store.add(a);
  store.add(b);
  assert.equal(store.getByContainer('c1'), a);
  assert.equal(store.getByIP('10.0.0.3'), b);
  assert.equal(store.getByOfport(3), a);
  assert.deepEqual(
    store
      .getByPod('default', 'web')
      .map((i) => i.containerId)
      .sort(),
    ['c1', 'c2'],
  );
  store.delete(a.name);
  assert.equal(store.getByContainer('c1'), undefined);
  assert.equal(store.getByIP('10.0.0.2'), undefined);
  assert.deepEqual(store.getByPod('default', 'web'), [b]);
});

test('a pod interface round-trips through external_ids', () => {
  const a = pod('web', 'c1', '10.0.0.2', 3);
  const record = {
    name: a.name,
    uuid: a.portUUID,
    ofport: a.ofport,
    type: 'system',
    externalIds: containerExternalIds(a),
    options: {},
  };
  assert.deepEqual(fromRecord(record), a);
  assert.equal(
    fromRecord({ ...record, externalIds: {} }),
    undefined,
    'ports the agent did not create',
  );
});
