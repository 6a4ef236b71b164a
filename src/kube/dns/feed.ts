#!/usr/bin/env node
// The DNS server's records as a process of their own, for a server that cannot reach the API
// server from its network namespace (the local cluster's pods: the API server listens on the
// host's loopback, see main.ts). Started where the API server is reachable, it prints every
// RecordChange as one JSON line, then `{"synced":true}` once the first list is complete; it
// exits when its stdin closes, i.e. when the server that started it is gone.
//
//   node dist/src/kube/dns/feed.js --kubeconfig PATH [--zone cluster.local]
import { parseArgs } from 'node:util';
import { loadKubeConfig } from '../../util/kubeclient.js';
import type { FeedLine } from './records.js';
import { watchServiceRecords } from './watch.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    zone: { type: 'string', default: 'cluster.local' },
  },
  strict: true,
});
const write = (line: FeedLine): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);
const watch = await watchServiceRecords(
  loadKubeConfig(values.kubeconfig),
  values.zone!,
  write,
  log,
);
write({ synced: true });
process.stdin.resume();
process.stdin.once('close', () => void watch.stop().finally(() => process.exit(0)));
