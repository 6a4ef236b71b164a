// The DNS server on real sockets: A answers over UDP and TCP, NXDOMAIN and NODATA with the
// zone's SOA, several TCP messages in one segment and one message split over two, and a UDP
// answer too large for the client truncated so it retries over TCP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Packet } from 'dns-packet';
import { RecordTable } from '../../../src/kube/dns/records.js';
import { DnsServer } from '../../../src/kube/dns/server.js';
import { framed, query, tcp as tcpAt, udp as udpAt } from './client.js';

const table = new RecordTable();
const answered: string[] = [];
const server = new DnsServer(
  { name: 'cluster.local', ttl: 5, lookup: (n) => table.lookup(n) },
  (transport, a) => answered.push(`${transport} ${a.qtype} ${a.rcode}`),
);
let port = 0;

before(async () => {
  table.apply({ name: 'nginx-svc.default.svc.cluster.local', ips: ['10.96.10.7'] });
  const many = Array.from({ length: 60 }, (_, i) => `10.10.1.${i + 2}`);
  table.apply({ name: 'big.default.svc.cluster.local', ips: many });
  port = await server.listen('127.0.0.1', 0);
});
after(() => server.close());

const udp = (q: Packet) => udpAt(port, q);
const tcp = (chunks: Buffer[], expected: number) => tcpAt(port, chunks, expected);

test('A over UDP: the ClusterIP, authoritative, with the TTL', async () => {
  const r = await udp(query('nginx-svc.default.svc.cluster.local'));
  assert.equal(r.id, 7);
  assert.equal(r.rcode, 'NOERROR');
  assert.equal(r.flag_aa, true);
  assert.equal(r.flag_rd, true);
  assert.deepEqual(
    r.answers?.map((a) => [a.type, a.name, 'data' in a ? a.data : undefined, 'ttl' in a && a.ttl]),
    [['A', 'nginx-svc.default.svc.cluster.local', '10.96.10.7', 5]],
  );
});

test('an unknown name is NXDOMAIN with the SOA; another type of a known name is NODATA', async () => {
  const missing = await udp(query('nope.default.svc.cluster.local'));
  assert.equal(missing.rcode, 'NXDOMAIN');
  assert.deepEqual(missing.answers, []);
  assert.equal(missing.authorities?.[0]?.type, 'SOA');
  const aaaa = await udp(query('nginx-svc.default.svc.cluster.local', 'AAAA'));
  assert.equal(aaaa.rcode, 'NOERROR');
  assert.deepEqual(aaaa.answers, []);
  assert.equal(aaaa.authorities?.[0]?.type, 'SOA');
});

test('TCP: two queries in one segment, then one split across two', async () => {
  const a = framed(query('nginx-svc.default.svc.cluster.local', 'A', 1));
  const b = framed(query('nope.default.svc.cluster.local', 'A', 2));
  const c = framed(query('nginx-svc.default.svc.cluster.local', 'A', 3));
  const replies = await tcp([Buffer.concat([a, b]), c.subarray(0, 5), c.subarray(5)], 3);
  assert.deepEqual(
    replies.map((r) => [r.id, r.rcode]),
    [
      [1, 'NOERROR'],
      [2, 'NXDOMAIN'],
      [3, 'NOERROR'],
    ],
  );
});

test('a UDP answer larger than 512 bytes is truncated; TCP carries it whole', async () => {
  const r = await udp(query('big.default.svc.cluster.local'));
  assert.equal(r.flag_tc, true);
  assert.deepEqual(r.answers, []);
  const [whole] = await tcp([framed(query('big.default.svc.cluster.local'))], 1);
  assert.equal(whole!.answers?.length, 60);
  assert.ok(answered.includes('udp A NXDOMAIN') && answered.includes('tcp A NOERROR'));
});
