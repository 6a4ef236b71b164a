#!/usr/bin/env node
// The cluster DNS server (what CoreDNS is in kube-system): A records of Services from the API
// server, served on UDP and TCP port 53 with Prometheus metrics on 9153, as the pods of the
// `coredns` Deployment behind Service kube-system/kube-dns (ClusterIP 10.96.0.10).
//
//   node dist/src/kube/dns/main.js [--kubeconfig PATH] [--api-netns NAME] [--zone cluster.local]
//        [--host 0.0.0.0] [--port 53] [--metrics-port 9153] [--ttl 5]
//
// Where the server can reach the API server it watches in-process. In the local cluster it
// cannot: pods are sealed off from the host, and the API server listens on the host's loopback
// (its `kubernetes` Service points at 127.0.0.1). There --api-netns names the host's network
// namespace (the launcher gives it a name, see src/cluster/dns-objects.ts) and the watch runs
// in a feed process started there through `ip netns exec`; the sockets stay in the pod's
// namespace, on the pod's IP, where the kube-dns Service sends queries.
//
// How pods' processes resolve names: the kubelet writes /etc/netns/NETNS/resolv.conf for each
// ClusterFirst pod (nameserver 10.96.0.10, the namespace's search path, ndots:5), which `ip netns
// exec` mounts over /etc/resolv.conf for the pod's processes and `kubectl exec` alike.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadKubeConfig } from '../../util/kubeclient.js';
import { exitOnSignal } from '../../util/shutdown.js';
import { FeedProcess } from './feedprocess.js';
import { DnsMetrics } from './metrics.js';
import { RecordTable } from './records.js';
import { DnsServer } from './server.js';
import { watchServiceRecords } from './watch.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    'api-netns': { type: 'string' },
    zone: { type: 'string', default: 'cluster.local' },
    host: { type: 'string', default: '0.0.0.0' },
    port: { type: 'string', default: '53' },
    'metrics-port': { type: 'string', default: '9153' },
    ttl: { type: 'string', default: '5' },
  },
  strict: true,
});

function portFlag(name: 'port' | 'metrics-port'): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name}: invalid port`);
  return n;
}

const log = (msg: string): void =>
  void process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
const zoneName = values.zone!.replace(/\.$/, '');
const table = new RecordTable();
const stops: (() => unknown)[] = [];

// Records first: a server that answered before its first list would deny names that exist.
const netns = values['api-netns'];
if (netns !== undefined) {
  const feedScript = join(fileURLToPath(new URL('.', import.meta.url)), 'feed.js');
  const feed = new FeedProcess(
    ['ip', 'netns', 'exec', netns, process.execPath, feedScript, '--zone', zoneName].concat(
      values.kubeconfig === undefined ? [] : ['--kubeconfig', values.kubeconfig],
    ),
    table,
    log,
  );
  feed.start();
  stops.push(() => feed.stop());
  await feed.synced;
} else {
  const watch = await watchServiceRecords(
    loadKubeConfig(values.kubeconfig),
    zoneName,
    (c) => table.apply(c),
    log,
  );
  stops.push(() => watch.stop());
}

const metrics = new DnsMetrics(`dns://:${values.port}`, zoneName, () => table.size);
const server = new DnsServer(
  { name: zoneName, ttl: Number(values.ttl), lookup: (name) => table.lookup(name) },
  (transport, answered) => metrics.count(transport, answered),
);
const port = await server.listen(values.host!, portFlag('port'));
const metricsPort = await metrics.listen(values.host!, portFlag('metrics-port'));
stops.push(
  () => server.close(),
  () => metrics.close(),
);
log(
  `serving ${zoneName} on ${values.host}:${port} (${table.size} names), metrics on :${metricsPort}`,
);
exitOnSignal(() => Promise.all(stops.map((stop) => stop())));
