// AntreaProxy without OVS: Services and Endpoints to Service port states, frontends and groups
// on a node, the flows and groups of tables 40-42 and 106, and the proxier's batching,
// incremental changes and retries against a recording bundle sink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Service } from '../../src/apis/core.js';
import { OpenflowClient } from '../../src/agent/openflow/client.js';
import { servicePortFlows, servicePortGroups } from '../../src/agent/openflow/service.js';
import type { ServicePortConfig } from '../../src/agent/openflow/servicetypes.js';
import { coveringCIDR } from '../../src/agent/proxy/hostroutes.js';
import { GroupIDs } from '../../src/agent/proxy/groupids.js';
import { portConfig } from '../../src/agent/proxy/portconfig.js';
import { Proxier } from '../../src/agent/proxy/proxier.js';
import { servicePortStates } from '../../src/agent/proxy/servicestate.js';
import { formatFlow } from '../../src/ovs/flowtext.js';
import { formatGroup, type GroupChange } from '../../src/ovs/group.js';
import type { FlowChange } from '../../src/ovs/ofctl.js';

const cfg = {
  gateway: { ofport: 2, ip: '10.10.0.1', mac: 'aa:00:00:00:00:01' },
  tunnelOFPort: 1,
  antreaPolicy: false,
};

function svc(name: string, spec: Service['spec'], status?: Service['status']): Service {
  return {
    metadata: { namespace: 'ns', name },
    spec: { clusterIP: '10.96.0.10', ...spec },
    ...(status ? { status } : {}),
  };
}

function eps(name: string, addrs: [string, string][], ports = [{ port: 8080 }]): Endpoints {
  return {
    metadata: { namespace: 'ns', name },
    subsets: [{ addresses: addrs.map(([ip, nodeName]) => ({ ip, nodeName })), ports }],
  };
}

test('service port states: ports by name and protocol, ready endpoints only, affinity default', () => {
  const s = svc(
    'web',
    {
      type: 'LoadBalancer',
      sessionAffinity: 'ClientIP',
      externalTrafficPolicy: 'Local',
      ports: [
        { name: 'http', port: 80, nodePort: 30080 },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    },
    { loadBalancer: { ingress: [{ ip: '172.18.1.1' }] } },
  );
  const e: Endpoints = {
    metadata: { namespace: 'ns', name: 'web' },
    subsets: [
      {
        addresses: [{ ip: '10.10.0.5', nodeName: 'n1' }],
        notReadyAddresses: [{ ip: '10.10.0.6', nodeName: 'n1' }],
        ports: [
          { name: 'http', port: 8080 },
          { name: 'dns', port: 5353, protocol: 'UDP' },
        ],
      },
    ],
  };
  const [http, dns] = servicePortStates(s, e);
  assert.deepEqual(http, {
    namespace: 'ns',
    name: 'web',
    portName: 'http',
    protocol: 'TCP',
    port: 80,
    clusterIPs: ['10.96.0.10'],
    nodePort: 30080,
    loadBalancerIPs: ['172.18.1.1'],
    externalLocal: true,
    affinityTimeout: 10800,
    endpoints: [{ ip: '10.10.0.5', port: 8080, nodeName: 'n1' }],
  });
  assert.equal(dns.protocol, 'UDP');
  assert.deepEqual(dns.endpoints, [{ ip: '10.10.0.5', port: 5353, nodeName: 'n1' }]);
  assert.deepEqual(
    servicePortStates(svc('h', { clusterIP: 'None', ports: [{ port: 80 }] }), undefined),
    [],
  );
  assert.deepEqual(
    servicePortStates(svc('x', { type: 'ExternalName', ports: [{ port: 80 }] }), undefined),
    [],
  );
  // A ClusterIP Service ignores a stray status and the external policy.
  const plain = servicePortStates(
    svc(
      'p',
      { externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30001 }] },
      { loadBalancer: { ingress: [{ ip: '172.18.1.2' }] } },
    ),
    undefined,
  )[0];
  assert.deepEqual(
    [plain.loadBalancerIPs, plain.nodePort, plain.externalLocal],
    [[], undefined, false],
  );
});

test('frontends: ClusterIP, NodePort on every node, LoadBalancer IP; Local gets per-node groups', () => {
  const ids = new GroupIDs();
  const nodes = [
    { name: 'n1', ip: '172.18.0.2' },
    { name: 'n2', ip: '172.18.0.3' },
  ];
  const s = svc(
    'web',
    {
      type: 'LoadBalancer',
      ports: [{ port: 80, nodePort: 30080 }],
    },
    { loadBalancer: { ingress: [{ ip: '172.18.1.1' }] } },
  );
  const e = eps('web', [
    ['10.10.0.5', 'n1'],
    ['10.10.1.5', 'n2'],
  ]);
  const ctx = { self: 'n1', nodes, groupID: (k: string) => ids.get(k) };
  const cluster = portConfig(servicePortStates(s, e)[0], ctx);
  assert.deepEqual(cluster.groupKeys, ['ns/web/']);
  assert.deepEqual(
    cluster.config.frontends.map((f) => `${f.ip}:${f.port}→${f.groupID}`),
    ['10.96.0.10:80→1', '172.18.0.2:30080→1', '172.18.0.3:30080→1', '172.18.1.1:80→1'],
  );
  assert.deepEqual(cluster.config.groups[0].endpoints, [
    { ip: '10.10.0.5', port: 8080, local: true },
    { ip: '10.10.1.5', port: 8080, local: false },
  ]);

  const local = portConfig(
    servicePortStates({ ...s, spec: { ...s.spec, externalTrafficPolicy: 'Local' } }, e)[0],
    ctx,
  );
  assert.deepEqual(local.groupKeys, ['ns/web/', 'ns/web/@n1', 'ns/web/@n2']);
  assert.deepEqual(
    local.config.frontends.map((f) => `${f.ip}:${f.port}→${f.groupID}`),
    ['10.96.0.10:80→1', '172.18.0.2:30080→2', '172.18.0.3:30080→3', '172.18.1.1:80→2'],
  );
  assert.deepEqual(
    local.config.groups.map((g) => g.endpoints.map((ep) => ep.ip)),
    [['10.10.0.5', '10.10.1.5'], ['10.10.0.5'], ['10.10.1.5']],
  );
});

const web: ServicePortConfig = {
  protocol: 'TCP',
  frontends: [{ ip: '10.96.0.10', port: 80, groupID: 7 }],
  groups: [
    {
      id: 7,
      endpoints: [
        { ip: '10.10.0.5', port: 8080, local: true },
        { ip: '10.10.1.5', port: 8080, local: false },
      ],
    },
  ],
  cookie: 7,
};

test('a Service port: frontend to group, group to endpoints, DNAT and hairpin flows', () => {
  assert.deepEqual(servicePortFlows(cfg, web).map(formatFlow), [
    'table=41, priority=200,tcp,reg4=0x10000/0x70000,nw_dst=10.96.0.10,tp_dst=80 actions=group:7',
    'table=42, priority=200,tcp,reg3=0xa0a0005,reg4=0x1f90/0xffff actions=set_field:aa:bb:cc:dd:ee:ff->eth_dst,ct(commit,table=50,zone=65520,nat(dst=10.10.0.5:8080),exec(load:0x21->NXM_NX_CT_MARK[]))',
    'table=106, priority=200,ip,nw_src=10.10.0.5,nw_dst=10.10.0.5 actions=set_field:169.254.169.252->ip_src,IN_PORT',
    'table=42, priority=200,tcp,reg3=0xa0a0105,reg4=0x1f90/0xffff actions=set_field:aa:bb:cc:dd:ee:ff->eth_dst,ct(commit,table=50,zone=65520,nat(dst=10.10.1.5:8080),exec(load:0x21->NXM_NX_CT_MARK[]))',
  ]);
  assert.deepEqual(servicePortGroups(web).map(formatGroup), [
    'group_id=7,type=select,' +
      'bucket=bucket_id:0,weight:100,actions=load:0xa0a0005->NXM_NX_REG3[],load:0x1f90->NXM_NX_REG4[0..15],resubmit(,42),' +
      'bucket=bucket_id:1,weight:100,actions=load:0xa0a0105->NXM_NX_REG3[],load:0x1f90->NXM_NX_REG4[0..15],resubmit(,42)',
  ]);
  assert.deepEqual(
    servicePortGroups({ ...web, groups: [{ id: 7, endpoints: [] }] }).map(formatGroup),
    ['group_id=7,type=select'],
  );
});

test('ClientIP affinity: the bucket comes back to learn; remembered endpoints are checked', () => {
  const sticky = { ...web, affinityTimeout: 100_000 };
  const lb = servicePortFlows(cfg, sticky)
    .filter((f) => f.table === 41)
    .map(formatFlow);
  assert.deepEqual(lb, [
    'table=41, priority=200,tcp,reg4=0x10000/0x70000,nw_dst=10.96.0.10,tp_dst=80 actions=group:7',
    'table=41, priority=190,tcp,reg4=0x30000/0x70000,nw_dst=10.96.0.10,tp_dst=80 actions=' +
      'learn(table=40,idle_timeout=65535,priority=200,delete_learned,cookie=0x7,eth_type=0x800,nw_proto=6,' +
      'NXM_OF_TCP_DST[],NXM_OF_IP_DST[],NXM_OF_IP_SRC[],load:NXM_NX_REG3[]->NXM_NX_REG3[],' +
      'load:NXM_NX_REG4[0..15]->NXM_NX_REG4[0..15],load:0x2->NXM_NX_REG4[16..18]),' +
      'load:0x2->NXM_NX_REG4[16..18],goto_table:42',
    'table=41, priority=190,tcp,reg4=0x20000/0x70000,nw_dst=10.96.0.10,tp_dst=80 actions=group:7',
    'table=41, priority=200,tcp,reg4=0x21f90/0x7ffff,reg3=0xa0a0005,nw_dst=10.96.0.10,tp_dst=80 actions=goto_table:42',
    'table=41, priority=200,tcp,reg4=0x21f90/0x7ffff,reg3=0xa0a0105,nw_dst=10.96.0.10,tp_dst=80 actions=goto_table:42',
  ]);
  assert.match(
    formatGroup(servicePortGroups(sticky)[0]),
    /actions=load:0xa0a0005->NXM_NX_REG3\[\],load:0x1f90->NXM_NX_REG4\[0..15\],load:0x3->NXM_NX_REG4\[16..18\],resubmit\(,41\)/,
  );
});

test('the service CIDR route covers every ClusterIP and only grows', () => {
  assert.equal(coveringCIDR([]), undefined);
  assert.equal(coveringCIDR(['10.96.0.10']), '10.96.0.10/32');
  assert.equal(coveringCIDR(['10.96.0.1', '10.96.0.10']), '10.96.0.0/28');
  assert.equal(coveringCIDR(['10.96.0.1', '10.111.255.254']), '10.96.0.0/12');
  assert.equal(coveringCIDR(['10.96.0.1'], '10.96.0.0/16'), '10.96.0.0/16');
});

test('group ids are reused only once released', () => {
  const ids = new GroupIDs();
  assert.deepEqual([ids.get('a'), ids.get('b'), ids.get('a')], [1, 2, 1]);
  ids.release('a');
  assert.equal(ids.get('c'), 1);
  assert.equal(ids.get('d'), 3);
});

/** An OpenflowClient whose bundles are recorded (and can be made to fail). */
function recordingClient() {
  const bundles: { flows: readonly FlowChange[]; groups: readonly GroupChange[] }[] = [];
  let fail = false;
  const client = new OpenflowClient(
    {
      applyBundle: async (flows, groups = []) => {
        if (fail) throw new Error('bundle rejected');
        bundles.push({ flows, groups });
      },
    },
    cfg,
  );
  return { client, bundles, failNext: (v: boolean) => (fail = v) };
}

test('the proxier: a burst is one bundle, an endpoint change a group modification, deletion cleans up', async () => {
  const { client, bundles } = recordingClient();
  const proxier = new Proxier({ nodeName: 'n1', flows: client, log: () => undefined });
  for (let i = 0; i < 100; i++) {
    proxier.upsertService({
      ...svc(`s${i}`, { clusterIP: `10.96.1.${i}`, ports: [{ port: 80 }] }),
    });
    proxier.upsertEndpoints(
      eps(`s${i}`, [
        ['10.10.0.5', 'n1'],
        [`10.10.2.${i}`, 'n2'],
      ]),
    );
  }
  await proxier.synced();
  assert.equal(bundles.length, 1, 'one bundle for the burst');
  assert.equal(bundles[0].groups.length, 100);
  // 100 frontends, 100 + 1 endpoint DNATs (10.10.0.5:8080 is shared), 1 hairpin flow.
  assert.equal(bundles[0].flows.length, 100 + 101 + 1);

  proxier.upsertEndpoints(eps('s3', [['10.10.0.5', 'n1']]));
  await proxier.synced();
  const change = bundles[1];
  assert.deepEqual(
    change.groups.map((g) => (g.op === 'put' ? g.group.buckets.length : -1)),
    [1],
    'the group is put with one bucket',
  );
  assert.deepEqual(
    change.flows.map((c) => `${c.op} ${formatFlow(c.flow).split(' actions=')[0]}`),
    ['delete table=42, priority=200,tcp,reg3=0xa0a0203,reg4=0x1f90/0xffff'],
  );

  proxier.deleteService('ns', 's3');
  await proxier.synced();
  const del = bundles[2];
  assert.deepEqual(del.groups, [{ op: 'delete', id: 4 }]);
  assert.deepEqual(
    del.flows.map((c) => c.op),
    ['delete'],
    'its frontend flow goes; the shared DNAT and hairpin flows stay',
  );
  assert.equal(client.installedGroups().length, 99);
});

test('the proxier retries a failed bundle, and synced() reports the failure meanwhile', async () => {
  const { client, bundles, failNext } = recordingClient();
  const logs: string[] = [];
  const proxier = new Proxier({ nodeName: 'n1', flows: client, log: (m) => logs.push(m) });
  failNext(true);
  proxier.upsertService(svc('s', { ports: [{ port: 80 }] }));
  await assert.rejects(proxier.synced(), /bundle rejected/);
  assert.match(logs[0], /sync of 1 Services failed/);
  failNext(false);
  await new Promise((r) => setTimeout(r, 300));
  await proxier.synced();
  assert.equal(bundles.length, 1);
  assert.equal(client.installedGroups().length, 1);
  proxier.stop();
});
