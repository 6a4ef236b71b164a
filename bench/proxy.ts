// AntreaProxy on a real OVS (the single-node harness: private namespaces, stopped at the end).
// - throughput: HTTP requests/s from a client pod to one server pod, straight to its IP and
//   through a ClusterIP whose only endpoint it is, alternating rounds; a new connection per
//   request (each one through conntrack and, for the ClusterIP, the group and the DNAT commit)
//   and requests on kept-alive connections (the per-packet cost).
// - programming: 1,000 Services × 3 endpoints handed to the proxier at once, until OVS has
//   every flow and group (one bundle); then one endpoint change, then deleting them all.
import type { Endpoints, Service } from '../src/apis/core.js';
import { Proxier } from '../src/agent/proxy/proxier.js';
import { run } from '../src/util/exec.js';
import { httpBurst, type Burst } from '../test/helpers/podhttp.js';
import { SingleNode } from '../test/helpers/singlenode.js';
import { median, report } from './report.js';

const ROUNDS = 3;
const REQUESTS = 2_000;
const CONCURRENCY = 8;
const SERVICES = 1_000;
const ENDPOINTS = 3;

const ip = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

function service(name: string, clusterIP: string): Service {
  return {
    metadata: { namespace: 'bench', name },
    spec: { type: 'ClusterIP', clusterIP, ports: [{ port: 80, protocol: 'TCP' }] },
  };
}

function endpoints(name: string, ips: readonly string[]): Endpoints {
  return {
    metadata: { namespace: 'bench', name },
    subsets: [
      {
        addresses: ips.map((a) => ({ ip: a, nodeName: 'bench-node' })),
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    ],
  };
}

async function withNode(
  pods: readonly string[],
  body: (node: SingleNode, proxier: Proxier) => Promise<void>,
): Promise<void> {
  const node = await SingleNode.start({
    tag: 'bpx',
    pods: pods.map((name) => ({ name })),
    serve: { tcp: [80], udp: [] },
  });
  const proxier = new Proxier({
    nodeName: 'bench-node',
    flows: node.client,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  try {
    await body(node, proxier);
  } finally {
    proxier.stop();
    await node.stop();
  }
}

export async function throughput(): Promise<void> {
  await withNode(['server', 'client'], async (node, proxier) => {
    const [server, client] = [node.pod('server'), node.pod('client')];
    proxier.upsertService(service('web', '10.96.0.80'));
    proxier.upsertEndpoints(endpoints('web', [server.ip]));
    await proxier.synced();
    const rps = (b: Burst): number => {
      if (b.failed > 0) throw new Error(`${b.failed} requests failed`);
      return (REQUESTS * 1000) / b.ms;
    };
    for (const keepAlive of [false, true]) {
      const mode = keepAlive ? 'keepalive' : 'new-connection';
      const direct: number[] = [];
      const viaService: number[] = [];
      // Warm-up, then alternating rounds so both targets see the same machine load.
      await httpBurst(client.netns, `http://${server.ip}/`, 200, CONCURRENCY, keepAlive);
      for (let r = 0; r < ROUNDS; r++) {
        const burst = (url: string) =>
          httpBurst(client.netns, url, REQUESTS, CONCURRENCY, keepAlive);
        direct.push(rps(await burst(`http://${server.ip}/`)));
        viaService.push(rps(await burst('http://10.96.0.80/')));
      }
      report('proxy-throughput', `${mode}-pod-ip-rps`, median(direct));
      report('proxy-throughput', `${mode}-cluster-ip-rps`, median(viaService));
      report('proxy-throughput', `${mode}-ratio`, median(viaService) / median(direct));
    }
  });
}

export async function programming(): Promise<void> {
  await withNode([], async (node, proxier) => {
    const flowsBefore = node.client.installedFlows().length;
    let t0 = performance.now();
    for (let i = 0; i < SERVICES; i++) {
      proxier.upsertService(service(`svc-${i}`, ip(0x0a600000 + 1 + i)));
      const eps = Array.from({ length: ENDPOINTS }, (_, e) => ip(0x0a0a0000 + i * ENDPOINTS + e));
      proxier.upsertEndpoints(endpoints(`svc-${i}`, eps));
    }
    await proxier.synced();
    report('proxy-programming', 'services-1000x3-ms', performance.now() - t0);
    report('proxy-programming', 'flows', node.client.installedFlows().length - flowsBefore);
    report('proxy-programming', 'groups', node.client.installedGroups().length);
    const groups = (await node.ofctl.dumpGroups())
      .split('\n')
      .filter((l) => l.includes('group_id'));
    if (groups.length !== SERVICES) throw new Error(`OVS has ${groups.length} groups`);

    const changes: number[] = [];
    for (let k = 0; k < 10; k++) {
      const i = k * 97;
      const eps = Array.from({ length: ENDPOINTS - (k % 2) }, (_, e) =>
        ip(0x0a0a0000 + i * ENDPOINTS + e),
      );
      t0 = performance.now();
      proxier.upsertEndpoints(endpoints(`svc-${i}`, eps));
      await proxier.synced();
      changes.push(performance.now() - t0);
    }
    report('proxy-programming', 'one-endpoint-change-median-ms', median(changes));

    t0 = performance.now();
    for (let i = 0; i < SERVICES; i++) {
      proxier.deleteService('bench', `svc-${i}`);
      proxier.deleteEndpoints('bench', `svc-${i}`);
    }
    await proxier.synced();
    report('proxy-programming', 'delete-1000-ms', performance.now() - t0);
    const left = await run('ovs-ofctl', [
      '-O',
      'OpenFlow15',
      'dump-groups',
      node.daemons!.mgmtSocket('br-int'),
    ]);
    if (left.includes('group_id')) throw new Error('groups left after deleting every Service');
  });
}
