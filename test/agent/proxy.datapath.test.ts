// AntreaProxy on real packets through the single-node bridge: Services and Endpoints go into
// the proxier as the informers would hand them over; pods and the node's own namespace send
// real HTTP to ClusterIPs, NodePorts and LoadBalancer IPs.
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Service } from '../../src/apis/core.js';
import type { NetworkPolicyRule } from '../../src/apis/index.js';
import { Table } from '../../src/agent/openflow/tables.js';
import { ServiceRoutes, VIRTUAL_NEXT_HOP } from '../../src/agent/proxy/hostroutes.js';
import { Proxier } from '../../src/agent/proxy/proxier.js';
import { run } from '../../src/util/exec.js';
import { httpBurst, KeptConnection } from '../helpers/podhttp.js';
import { SingleNode, type TestPod } from '../helpers/singlenode.js';

const SELF = 'node-1';
/** The node's own IP (on its loopback here) and another node's, for NodePorts. */
const NODE_IP = '192.168.99.2';
const OTHER_NODE_IP = '192.168.99.3';
const LB_IP = '172.18.1.10';

let node: SingleNode;
let proxier: Proxier;
const logs: string[] = [];

before(async () => {
  node = await SingleNode.start({
    tag: 'pxdp',
    pods: ['be-a', 'be-b', 'be-c', 'client'].map((name) => ({ name })),
  });
  await run('ip', ['-n', node.nodeNetns, 'addr', 'add', `${NODE_IP}/32`, 'dev', 'lo']);
  const routes = new ServiceRoutes(node.nodeNetns);
  await routes.init();
  proxier = new Proxier({
    nodeName: SELF,
    flows: node.client,
    onAddresses: (a) => routes.sync(a),
    log: (m) => logs.push(m),
  });
  proxier.upsertNode(SELF, NODE_IP);
  proxier.upsertNode('node-2', OTHER_NODE_IP);
});
after(async () => {
  proxier?.stop();
  await node?.stop();
});

const backends = (): TestPod[] => ['be-a', 'be-b', 'be-c'].map((n) => node.pod(n));

function service(name: string, clusterIP: string, spec: Partial<Service['spec']> = {}): Service {
  return {
    metadata: { namespace: 'default', name },
    spec: { type: 'ClusterIP', clusterIP, ports: [{ port: 80, protocol: 'TCP' }], ...spec },
  };
}

/** Endpoints on port 80 of these pods; `nodeOf` says which node each is on (default: this). */
function endpoints(
  name: string,
  pods: readonly TestPod[],
  nodeOf: (p: TestPod) => string = () => SELF,
): Endpoints {
  return {
    metadata: { namespace: 'default', name },
    subsets: [
      {
        addresses: pods.map((p) => ({ ip: p.ip, nodeName: nodeOf(p) })),
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    ],
  };
}

/** Realized, and the datapath's cached flows dropped so the next packet sees the change. */
async function synced(): Promise<void> {
  await proxier.synced();
  await run('ovs-appctl', ['-t', node.daemons!.vswitchdCtl, 'revalidator/purge']);
}

const curlFrom = (netns: string, url: string): Promise<string> =>
  run('curl', ['-s', '-m', '3', url], { netns }).catch((e: { code?: number }) =>
    e.code === 28 ? 'timeout' : `error ${String(e.code)}`,
  );

test('1,000 requests to a 3-backend ClusterIP: every backend answers', async () => {
  proxier.upsertService(service('web', '10.96.0.20'));
  proxier.upsertEndpoints(endpoints('web', backends()));
  await synced();
  const groups = await node.ofctl.dumpGroups();
  assert.match(
    groups,
    /type=select(,bucket=bucket_id:\d,weight:100,actions=[^,]+,[^,]+,resubmit\(,42\)){3}/,
  );

  const burst = await httpBurst(node.pod('client').netns, 'http://10.96.0.20/', 1000);
  assert.equal(burst.failed, 0);
  assert.deepEqual(Object.keys(burst.counts).sort(), [
    'default/be-a',
    'default/be-b',
    'default/be-c',
  ]);
  // OVS spreads connections by a datapath hash over 16 slots: even, not equal.
  for (const [backend, n] of Object.entries(burst.counts)) {
    assert.ok(n > 100, `${backend} answered ${n} of 1,000`);
  }
});

test('removing a backend: no new request reaches it, an open connection to it keeps working', async () => {
  const client = node.pod('client');
  const kept = new KeptConnection(client.netns, 'http://10.96.0.20/');
  try {
    const first = await kept.request();
    assert.ok(first.body?.startsWith('default/be-'), JSON.stringify(first));
    const gone = backends().find((p) => `default/${p.podName}` === first.body)!;
    const groupID = /group_id=(\d+)/.exec(await node.ofctl.dumpGroups())?.[1];
    proxier.upsertEndpoints(
      endpoints(
        'web',
        backends().filter((p) => p !== gone),
      ),
    );
    await synced();
    const groups = await node.ofctl.dumpGroups();
    assert.equal(groups.match(/bucket_id/g)?.length, 2, 'the group lost one bucket');
    assert.equal(/group_id=(\d+)/.exec(groups)?.[1], groupID, 'the same group, modified');

    const burst = await httpBurst(client.netns, 'http://10.96.0.20/', 300);
    assert.equal(burst.failed, 0);
    assert.equal(burst.counts[first.body!], undefined, `${first.body} got new requests`);
    assert.equal(Object.keys(burst.counts).length, 2);

    const again = await kept.request();
    assert.deepEqual(again, first, 'the same connection, answered by the removed backend');
  } finally {
    await kept.stop();
  }
  proxier.upsertEndpoints(endpoints('web', backends()));
  await synced();
});

test('sessionAffinity ClientIP keeps one backend, learned in table 40 with the timeout', async () => {
  proxier.upsertService(
    service('sticky', '10.96.0.21', {
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
    }),
  );
  proxier.upsertEndpoints(endpoints('sticky', backends()));
  await synced();
  const client = node.pod('client');
  // The first connection is learned; connections racing with it may still be balanced (as
  // with kube-proxy), so the burst comes after it.
  const chosen = await curlFrom(client.netns, 'http://10.96.0.21/');
  await synced();
  const burst = await httpBurst(client.netns, 'http://10.96.0.21/', 60, 4);
  assert.equal(burst.failed, 0);
  assert.deepEqual(burst.counts, { [chosen]: 60 }, 'one backend only');
  const learned = await node.dumpFlows(Table.SessionAffinity);
  assert.ok(
    learned.some(
      (f) =>
        f.idleTimeout === 600 && f.match.some((m) => m.name === 'nw_src' && m.value === client.ip),
    ),
    'a learned flow for the client',
  );

  // The remembered backend goes: the client moves to another one and stays there.
  const gone = backends().find((p) => `default/${p.podName}` === chosen)!;
  proxier.upsertEndpoints(
    endpoints(
      'sticky',
      backends().filter((p) => p !== gone),
    ),
  );
  await synced();
  const next = await curlFrom(client.netns, 'http://10.96.0.21/');
  assert.notEqual(next, chosen);
  await synced();
  const after = await httpBurst(client.netns, 'http://10.96.0.21/', 30, 4);
  assert.deepEqual(after.counts, { [next]: 30 }, 'the new choice is kept');
});

test('hairpin: a pod reaches itself through its own Service', async () => {
  const a = node.pod('be-a');
  proxier.upsertService(service('self', '10.96.0.22'));
  proxier.upsertEndpoints(endpoints('self', [a]));
  await synced();
  assert.equal(await curlFrom(a.netns, 'http://10.96.0.22/'), 'default/be-a');
  const burst = await httpBurst(a.netns, 'http://10.96.0.22/', 20, 2);
  assert.deepEqual(burst, { ...burst, counts: { 'default/be-a': 20 }, failed: 0 });
  // Only possible through table 106: the source became the hairpin IP, out of its own port.
  const hairpin = (await node.dumpFlows(Table.HairpinSNAT)).find((f) =>
    f.match.some((m) => m.name === 'nw_src' && m.value === a.ip),
  );
  assert.ok(hairpin && hairpin.stats.nPackets > 0, JSON.stringify(hairpin));
});

test('NodePort and LoadBalancer IP: reachable from pods and from the node', async () => {
  proxier.upsertService(
    service('lb', '10.96.0.23', {
      type: 'LoadBalancer',
      ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }],
    }),
  );
  proxier.upsertService({
    ...service('lb', '10.96.0.23', {
      type: 'LoadBalancer',
      ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }],
    }),
    status: { loadBalancer: { ingress: [{ ip: LB_IP }] } },
  });
  proxier.upsertEndpoints(endpoints('lb', backends()));
  await synced();
  const client = node.pod('client');
  const urls = [
    `http://${NODE_IP}:30080/`,
    `http://${OTHER_NODE_IP}:30080/`,
    `http://${LB_IP}/`,
    'http://10.96.0.23/',
  ];
  for (const url of urls) {
    assert.match(await curlFrom(client.netns, url), /^default\/be-[abc]$/, `pod → ${url}`);
    assert.match(await curlFrom(node.nodeNetns, url), /^default\/be-[abc]$/, `node → ${url}`);
  }
});

test('externalTrafficPolicy Local: a NodePort goes only to endpoints on that node', async () => {
  const [a, b, c] = backends();
  proxier.upsertService(
    service('local', '10.96.0.24', {
      type: 'NodePort',
      externalTrafficPolicy: 'Local',
      ports: [{ port: 80, protocol: 'TCP', nodePort: 30081 }],
    }),
  );
  // be-c is reported on node-2 (it is reachable from here all the same).
  proxier.upsertEndpoints(endpoints('local', [a, b, c], (p) => (p === c ? 'node-2' : SELF)));
  await synced();
  const client = node.pod('client');
  const here = await httpBurst(client.netns, `http://${NODE_IP}:30081/`, 60);
  assert.deepEqual(Object.keys(here.counts).sort(), ['default/be-a', 'default/be-b']);
  const there = await httpBurst(client.netns, `http://${OTHER_NODE_IP}:30081/`, 20);
  assert.deepEqual(Object.keys(there.counts), ['default/be-c']);
  const cluster = await httpBurst(client.netns, 'http://10.96.0.24/', 90);
  assert.equal(Object.keys(cluster.counts).length, 3, 'the ClusterIP ignores the policy');
});

test('a NetworkPolicy on the backends applies to Service traffic: ingress sees the client', async () => {
  const [a, b, c] = backends();
  const client = node.pod('client');
  const member = (p: TestPod) => ({ pod: { name: p.podName, namespace: 'default' }, ips: [p.ip] });
  const rule: NetworkPolicyRule = {
    direction: 'In',
    from: { addressGroups: ['ag-backends'] },
    to: {},
    priority: 0,
  };
  await node.apply([
    {
      kind: 'AddressGroup',
      type: 'upsert',
      object: { metadata: { name: 'ag-backends' }, groupMembers: [a, b, c].map(member) },
    },
    {
      kind: 'AppliedToGroup',
      type: 'upsert',
      object: { metadata: { name: 'atg-backends' }, groupMembers: [a, b, c].map(member) },
    },
    {
      kind: 'NetworkPolicy',
      type: 'upsert',
      object: {
        metadata: { name: 'np', uid: 'np', namespace: 'default' },
        rules: [rule],
        appliedToGroups: ['atg-backends'],
        policyTypes: ['Ingress'],
        sourceRef: { type: 'K8sNetworkPolicy', namespace: 'default', name: 'np', uid: 'np' },
      },
    },
  ]);
  try {
    assert.equal(await curlFrom(client.netns, 'http://10.96.0.20/'), 'timeout', 'client blocked');
    assert.match(
      await curlFrom(a.netns, 'http://10.96.0.20/'),
      /^default\/be-[abc]$/,
      'a backend allowed',
    );
  } finally {
    await node.apply([{ kind: 'NetworkPolicy', type: 'delete', uid: 'np' }]);
  }
  assert.match(await curlFrom(client.netns, 'http://10.96.0.20/'), /^default\/be-[abc]$/);
});

test('UDP through a ClusterIP', async () => {
  proxier.upsertService(
    service('dns', '10.96.0.25', { ports: [{ port: 53, protocol: 'UDP', targetPort: 81 }] }),
  );
  proxier.upsertEndpoints({
    metadata: { namespace: 'default', name: 'dns' },
    subsets: [
      {
        addresses: backends().map((p) => ({ ip: p.ip, nodeName: SELF })),
        ports: [{ port: 81, protocol: 'UDP' }],
      },
    ],
  });
  await synced();
  assert.deepEqual(await node.probe(node.pod('client'), ['10.96.0.25'], 53, 'UDP', 2000), [true]);
});

test('an endpoint on the host network is reached through the gateway', async () => {
  const server = spawn(
    'ip',
    [
      'netns',
      'exec',
      node.nodeNetns,
      process.execPath,
      '-e',
      `require('node:http').createServer((q, r) => r.end('host')).listen(8080, '${NODE_IP}')`,
    ],
    { stdio: 'ignore' },
  );
  try {
    proxier.upsertService(service('host', '10.96.0.26'));
    proxier.upsertEndpoints({
      metadata: { namespace: 'default', name: 'host' },
      subsets: [
        { addresses: [{ ip: NODE_IP, nodeName: SELF }], ports: [{ port: 8080, protocol: 'TCP' }] },
      ],
    });
    await synced();
    // The server may take a moment to listen.
    let body = '';
    for (let i = 0; i < 10 && body !== 'host'; i++) {
      body = await curlFrom(node.pod('client').netns, 'http://10.96.0.26/');
      if (body !== 'host') await new Promise((r) => setTimeout(r, 300));
    }
    assert.equal(body, 'host');
  } finally {
    const gone = new Promise((r) => server.once('exit', r));
    server.kill('SIGKILL');
    await gone;
  }
});

test('a restarted agent takes over the node routes and rules as they are', async () => {
  const show = () =>
    Promise.all([
      run('ip', ['-n', node.nodeNetns, 'route', 'show', 'via', VIRTUAL_NEXT_HOP]),
      run('ip', ['-n', node.nodeNetns, 'rule', 'show']),
    ]);
  const before = await show();
  const restarted = new ServiceRoutes(node.nodeNetns);
  await restarted.init();
  await restarted.sync({
    clusterIPs: ['10.96.0.20', '10.96.0.23'],
    loadBalancerIPs: [LB_IP],
    nodeIPs: [NODE_IP, OTHER_NODE_IP],
  });
  assert.deepEqual(await show(), before);
  assert.match(await curlFrom(node.nodeNetns, `http://${LB_IP}/`), /^default\/be-[abc]$/);
});

test('a deleted Service leaves no flow, group or route behind', async () => {
  for (const name of ['web', 'sticky', 'self', 'lb', 'local', 'dns', 'host']) {
    proxier.deleteService('default', name);
    proxier.deleteEndpoints('default', name);
  }
  await synced();
  assert.doesNotMatch(await node.ofctl.dumpGroups(), /group_id/);
  for (const t of [Table.ServiceLB, Table.EndpointDNAT]) {
    const flows = await node.dumpFlows(t);
    assert.deepEqual(
      flows.map((f) => f.priority),
      [0],
      `table ${t}: only the default flow`,
    );
  }
  assert.doesNotMatch(await curlFrom(node.nodeNetns, `http://${LB_IP}/`), /default/, 'no route');
  assert.equal(await curlFrom(node.pod('client').netns, 'http://10.96.0.20/'), 'timeout');
  assert.deepEqual(logs, []);
});
