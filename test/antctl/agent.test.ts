// antctl in agent mode, as `kubectl exec … -c antrea-agent -- antctl …` runs it: the built CLI
// against an agent API socket whose routes are served by the real handlers over a real bridge
// (the single-node helper: OVS, pods, the pipeline and the policy controller). Walkthrough steps
// 6, 11 and 13: a pod's flows, table 90 by name and number, a policy's flows, the received
// policies, agentinfo; plus traceflow to an allowed and a blocked destination.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { agentInfoOf } from '../../src/agent/agentinfo/heartbeat.js';
import { ovsFlows } from '../../src/agent/apiserver/ovsflows.js';
import { ReceivedPolicies } from '../../src/agent/apiserver/received.js';
import { AgentApiServer } from '../../src/agent/apiserver/server.js';
import { traceflow } from '../../src/agent/apiserver/traceflow.js';
import type { PolicyEvent } from '../../src/agent/networkpolicy/controller.js';
import type { InternalNetworkPolicy } from '../../src/apis/index.js';
import { SingleNode, type TestPod } from '../helpers/singlenode.js';
import { antctl as run } from './run.js';

let node: SingleNode;
let dir: string;
let socket: string;
const api = new AgentApiServer();
const received = new ReceivedPolicies();

const member = (p: TestPod) => ({ pod: { name: p.podName, namespace: p.namespace }, ips: [p.ip] });
const UID = '766a9e51-f132-5c2f-b862-9ac68e75d77d';

function policyEvents(nginx: TestPod[], peers: TestPod[]): PolicyEvent[] {
  const policy: InternalNetworkPolicy = {
    metadata: { name: UID, uid: UID, namespace: 'default' },
    rules: [{ direction: 'In', from: { addressGroups: ['ag-nginx'] }, to: {}, priority: 0 }],
    appliedToGroups: ['atg-nginx'],
    policyTypes: ['Ingress'],
    sourceRef: { type: 'K8sNetworkPolicy', namespace: 'default', name: 'nginx-allow', uid: UID },
  };
  return [
    {
      kind: 'AddressGroup',
      type: 'upsert',
      object: { metadata: { name: 'ag-nginx' }, groupMembers: peers.map(member) },
    },
    {
      kind: 'AppliedToGroup',
      type: 'upsert',
      object: { metadata: { name: 'atg-nginx' }, groupMembers: nginx.map(member) },
    },
    { kind: 'NetworkPolicy', type: 'upsert', object: policy },
  ];
}

before(async () => {
  node = await SingleNode.start({
    tag: 'actl',
    pods: [{ name: 'nginx-deployment-1' }, { name: 'nginx-deployment-2' }, { name: 'ch-busybox' }],
    serve: { tcp: [80], udp: [] },
  });
  const ports = new Map<number, string>([
    [1, 'antrea-tun0'],
    [2, 'antrea-gw0'],
  ]);
  for (const p of node.interfaces.pods.values()) ports.set(p.ofport, p.ifName);
  const portName = (ofport: number): string | undefined => ports.get(ofport);
  const nginx = [node.pod('nginx-deployment-1'), node.pod('nginx-deployment-2')];
  const events = policyEvents(nginx, nginx);
  received.apply(events);
  await node.apply(events);
  api
    .route('/networkpolicies', () => received.networkPolicies())
    .route('/addressgroups', () => received.addressGroupList())
    .route('/appliedtogroups', () => received.appliedToGroupList())
    .route('/agentinfo', () =>
      agentInfoOf(
        {
          nodeName: 'node-1',
          podCIDR: `${node.podSubnet}.0/24`,
          bridgeName: 'br-int',
          ovsVersion: '3.1.0',
          localPodCount: () => node.interfaces.pods.size,
          flowCountsByTable: () => ({}),
          policyCounts: () => node.policy.counts(),
          controllerConnected: () => true,
        },
        'antrea-agent-ktn22',
        new Date(),
      ),
    )
    .route('/ovsflows', (q) =>
      ovsFlows(
        {
          dumpFlows: (table) => node.dumpFlows(table),
          annotate: (d) => node.client.annotate(d),
          podFlows: (ns, name) => {
            const pod = node.interfaces.pods.get(`${ns}/${name}`);
            return pod && node.podFlows(pod);
          },
          policyFlows: (ns, name) => {
            const uid = received.policyUID(ns, name);
            return uid === undefined ? undefined : node.policy.policyFlows(uid);
          },
          portName,
        },
        q,
      ),
    )
    .route('/traceflow', (q) =>
      traceflow(
        {
          node: 'node-1',
          nextHopMAC: (ip) =>
            [...node.interfaces.pods.values()].find((p) => p.ip === ip)?.mac ?? node.gatewayMAC,
          localPod: (ns, name) => {
            const p = node.interfaces.pods.get(`${ns}/${name}`);
            return p && { ip: p.ip, mac: p.mac, ofport: p.ofport, port: p.ifName };
          },
          portName,
          trace: (packet) => node.trace(packet),
        },
        q,
      ),
    );
  dir = mkdtempSync(join(tmpdir(), 'antctl-agent-'));
  socket = join(dir, 'antctl.sock');
  await api.listen(socket);
});

after(async () => {
  await api.close();
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const antctl = (...args: string[]) => run(socket, args);

test('ovsflows -p: the pod flows of step 6, in the seed form with real counters', async () => {
  const pod = node.pod('nginx-deployment-1');
  const r = await antctl('get', 'ovsflows', '-n', 'default', '-p', 'nginx-deployment-1');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'FLOW');
  const flows = lines.slice(1);
  for (const f of flows) assert.match(f, /^table=\d+, n_packets=\d+, n_bytes=\d+, priority=\d+/);
  const classification = flows.find((f) => f.startsWith('table=0, '));
  assert.match(
    classification ?? '',
    new RegExp(
      `^table=0, n_packets=\\d+, n_bytes=\\d+, priority=190,in_port="${pod.ifName}" ` +
        'actions=load:0x2->NXM_NX_REG0\\[0\\.\\.15\\],goto_table:10$',
    ),
  );
  assert.ok(flows.some((f) => f.startsWith('table=70, ') && f.includes(`nw_dst=${pod.ip}`)));
  assert.ok(flows.some((f) => f.startsWith('table=80, ') && f.includes(`dl_dst=${pod.mac}`)));
  assert.equal(flows.filter((f) => f.startsWith('table=10, ')).length, 2, 'IP and ARP spoofguard');
});

test('ovsflows -T ingressRule and -T 90: the step-11 flows; --networkpolicy: the policy flows', async () => {
  const [nginx1, nginx2] = [node.pod('nginx-deployment-1'), node.pod('nginx-deployment-2')];
  const byName = await antctl('get', 'ovsflows', '-T', 'ingressRule');
  const byNumber = await antctl('get', 'of', '-T', '90', '-o', 'json');
  assert.equal(byName.code, 0, byName.stderr);
  const text = byName.stdout;
  assert.match(text, /^FLOW\n/);
  assert.match(
    text,
    /table=90, n_packets=\d+, n_bytes=\d+, priority=210,ct_state=-new\+est,ip actions=goto_table:105/,
  );
  for (const p of [nginx1, nginx2]) {
    assert.match(
      text,
      new RegExp(`priority=200,ip,nw_src=${p.ip} actions=conjunction\\(\\d+,1/2\\)`),
    );
    assert.match(
      text,
      new RegExp(
        `priority=200,ip,reg1=0x${p.ofport.toString(16)} actions=conjunction\\(\\d+,2/2\\)`,
      ),
    );
  }
  assert.match(
    text,
    /priority=190,conj_id=\d+,ip actions=load:0x1->NXM_NX_REG6\[\],goto_table:105/,
  );
  assert.match(text, /priority=0 actions=goto_table:100/);
  const json = JSON.parse(byNumber.stdout) as { flow: string }[];
  assert.equal(json.length, text.trimEnd().split('\n').length - 1);
  const policy = await antctl('get', 'ovsflows', '--networkpolicy', 'nginx-allow', '-n', 'default');
  assert.equal(policy.code, 0, policy.stderr);
  assert.ok(policy.stdout.includes('conjunction('));
  assert.ok(!policy.stdout.includes('priority=210'), 'only the policy’s own flows');
  const bad = await antctl('get', 'ovsflows', '-T', 'NoSuchTable');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown flow table "NoSuchTable"/);
  const noNs = await antctl('get', 'ovsflows', '-p', 'nginx-deployment-1');
  assert.equal(noNs.code, 1);
});

test('networkpolicy, groups and agentinfo: what this agent received, with the seed columns', async () => {
  const np = await antctl('get', 'networkpolicy');
  assert.equal(np.code, 0, np.stderr);
  assert.equal(
    np.stdout,
    'NAMESPACE NAME        APPLIED-TO RULES\n' + 'default   nginx-allow atg-nginx  1\n',
  );
  const ag = await antctl('get', 'addressgroup', '-o', 'yaml');
  assert.match(ag.stdout, /name: ag-nginx/);
  const atg = await antctl('get', 'appliedtogroup');
  // Cells hold what fits in 50 characters, then a count (as Antrea's antctl summarizes lists).
  assert.equal(atg.stdout, 'NAME      PODS\natg-nginx default/nginx-deployment-1 + 1 more...\n');
  const info = await antctl('get', 'agentinfo');
  assert.equal(info.code, 0, info.stderr);
  const [header, row] = info.stdout.trimEnd().split('\n');
  assert.deepEqual(header!.split(/\s+/), [
    'POD',
    'NODE',
    'STATUS',
    'NODE-SUBNET',
    'NETWORK-POLICIES',
    'ADDRESS-GROUPS',
    'APPLIED-TO-GROUPS',
    'LOCAL-PODS',
  ]);
  assert.deepEqual(row!.split(/\s+/), [
    'kube-system/antrea-agent-ktn22',
    'node-1',
    'Healthy',
    `${node.podSubnet}.0/24`,
    '1',
    '1',
    '1',
    '3',
  ]);
});

test('traceflow: nginx to nginx is forwarded to its port; busybox to nginx is dropped in 100', async () => {
  const [nginx1, nginx2] = [node.pod('nginx-deployment-1'), node.pod('nginx-deployment-2')];
  const ok = await antctl(
    'traceflow',
    '-S',
    'default/nginx-deployment-1',
    '-D',
    nginx2.ip,
    '-o',
    'json',
  );
  assert.equal(ok.code, 0, ok.stderr);
  const allowed = JSON.parse(ok.stdout) as {
    verdict: string;
    outputPorts: string[];
    hops: { table: number }[];
  };
  assert.equal(allowed.verdict, 'output');
  assert.deepEqual(allowed.outputPorts, [nginx2.ifName]);
  assert.ok(allowed.hops.some((h) => h.table === 90));
  const blocked = await antctl('traceflow', '-S', 'default/ch-busybox', '-D', nginx1.ip);
  assert.equal(blocked.code, 0, blocked.stderr);
  assert.match(blocked.stdout, /^Traceflow on node node-1: default\/ch-busybox/);
  assert.match(
    blocked.stdout,
    /Result: dropped\nDecided by: table 100 \(IngressDefaultRule\) priority=\d+/,
  );
});
