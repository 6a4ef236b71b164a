// The DNS server as the cluster runs it, against a real (embedded) API server: main.js watching
// in-process, answering Services as they come and go, with metrics on its port; and the record
// feed process (feed.js) that the local cluster's pods use, filling a table through FeedProcess.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { FeedProcess } from '../../../src/kube/dns/feedprocess.js';
import { RecordTable } from '../../../src/kube/dns/records.js';
import { Harness } from '../apiserver/harness.js';
import { query, udp } from './client.js';

const PREFIX = `dns${process.pid}`;
let h: Harness;

before(async () => {
  h = await Harness.start();
});
after(() => h.stop());

async function createService(name: string, clusterIP: string): Promise<void> {
  const r = await h.http('POST', '/api/v1/namespaces/default/services', {
    body: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { clusterIP, ports: [{ port: 80, protocol: 'TCP' }] },
    },
  });
  assert.equal(r.status, 201, r.text);
}

async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (const end = Date.now() + 10_000; Date.now() < end;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function startMain(): Promise<{ child: ChildProcess; port: number; metricsPort: number }> {
  const child = spawn(
    process.execPath,
    [
      'dist/src/kube/dns/main.js',
      '--kubeconfig',
      h.kubeconfig,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--metrics-port',
      '0',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`main.js exited with ${code}`)));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      const m = /on 127\.0\.0\.1:(\d+) .*metrics on :(\d+)/.exec(line);
      if (m) resolve({ child, port: Number(m[1]), metricsPort: Number(m[2]) });
    });
  });
}

test('main.js answers Services as they are created and deleted, and counts them', async () => {
  await createService(`${PREFIX}-a`, '10.96.0.50');
  const { child, port, metricsPort } = await startMain();
  try {
    const a = await udp(port, query(`${PREFIX}-a.default.svc.cluster.local`));
    assert.deepEqual(
      a.answers?.map((x) => 'data' in x && x.data),
      ['10.96.0.50'],
      'listed before serving',
    );
    await createService(`${PREFIX}-b`, '10.96.0.51');
    await until('the new Service resolves', async () => {
      const r = await udp(port, query(`${PREFIX}-b.default.svc.cluster.local`));
      return r.rcode === 'NOERROR' ? r : undefined;
    });
    await h.http('DELETE', `/api/v1/namespaces/default/services/${PREFIX}-a`);
    await until('the deleted Service is NXDOMAIN', async () => {
      const r = await udp(port, query(`${PREFIX}-a.default.svc.cluster.local`));
      return r.rcode === 'NXDOMAIN' ? r : undefined;
    });
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(text, /coredns_dns_requests_total\{[^}]*proto="udp",type="A"\} \d+/);
    assert.match(text, /coredns_dns_responses_total\{[^}]*rcode="NXDOMAIN"\} \d+/);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});

test('a feed process fills the table whole at its first sync, then changes follow', async () => {
  await createService(`${PREFIX}-c`, '10.96.0.52');
  const table = new RecordTable();
  table.apply({ name: 'stale.default.svc.cluster.local', ips: ['10.96.0.99'] });
  const feed = new FeedProcess(
    [process.execPath, 'dist/src/kube/dns/feed.js', '--kubeconfig', h.kubeconfig],
    table,
    () => undefined,
  );
  feed.start();
  try {
    await feed.synced;
    assert.deepEqual(table.lookup(`${PREFIX}-c.default.svc.cluster.local`), ['10.96.0.52']);
    assert.equal(table.lookup('stale.default.svc.cluster.local'), undefined);
    await createService(`${PREFIX}-d`, '10.96.0.53');
    await until('the change arrives', async () =>
      table.lookup(`${PREFIX}-d.default.svc.cluster.local`),
    );
  } finally {
    await feed.stop();
  }
});
