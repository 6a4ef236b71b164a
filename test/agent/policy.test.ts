// NetworkPolicy enforced on real traffic through the single-node bridge: walkthrough steps 9-11
// (a K8s NetworkPolicy blocks a real curl, adding the client to the address group re-allows it,
// table 90 holds the step-11 flows), the N+M+P+1 flow count, Antrea-native tiers, and cleanup.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AddressGroup,
  AppliedToGroup,
  InternalNetworkPolicy,
  NetworkPolicyRule,
} from '../../src/apis/index.js';
import type { PolicyEvent } from '../../src/agent/networkpolicy/controller.js';
import { Table } from '../../src/agent/openflow/tables.js';
import { formatFlow } from '../../src/ovs/flowtext.js';
import { run } from '../../src/util/exec.js';
import { SingleNode, type TestPod } from '../helpers/singlenode.js';

let node: SingleNode;
before(async () => {
  node = await SingleNode.start({
    tag: 'ofnp',
    pods: [{ name: 'nginx-1' }, { name: 'nginx-2' }, { name: 'ch-busybox' }],
    serve: { tcp: [80, 443], udp: [] },
  });
});
after(async () => {
  await node?.stop();
});

const member = (p: TestPod) => ({ pod: { name: p.podName, namespace: p.namespace }, ips: [p.ip] });
/** An nginx pod on another node: its address is in the group, it has no port here. */
const remoteNginx = {
  pod: { name: 'nginx-3', namespace: 'default' },
  ips: ['10.20.0.2'],
  node: 'node-2',
};

function addressGroup(name: string, members: AddressGroup['groupMembers']): PolicyEvent {
  return {
    kind: 'AddressGroup',
    type: 'upsert',
    object: { metadata: { name }, groupMembers: members },
  };
}
function appliedToGroup(name: string, pods: TestPod[]): PolicyEvent {
  const object: AppliedToGroup = { metadata: { name }, groupMembers: pods.map(member) };
  return { kind: 'AppliedToGroup', type: 'upsert', object };
}
function k8sPolicy(uid: string, rules: NetworkPolicyRule[], appliedTo: string): PolicyEvent {
  const object: InternalNetworkPolicy = {
    metadata: { name: uid, uid, namespace: 'default' },
    rules,
    appliedToGroups: [appliedTo],
    policyTypes: ['Ingress'],
    sourceRef: { type: 'K8sNetworkPolicy', namespace: 'default', name: uid, uid },
  };
  return { kind: 'NetworkPolicy', type: 'upsert', object };
}

/** A live (not zombie) process: a stopped daemon may linger as a zombie until init reaps it. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** curl from the pod: the body, or `timeout` (curl exit 28). */
async function curl(from: TestPod, to: TestPod, port = 80): Promise<string> {
  try {
    return await node.exec(from, 'curl', ['-s', '-m', '2', `http://${to.ip}:${port}/`]);
  } catch (e) {
    if ((e as { code?: number }).code === 28) return 'timeout';
    throw e;
  }
}

/** Table 90 as antctl shows it: OVS's flows and counters, actions as the agent wrote them. */
async function table(n: number): Promise<string[]> {
  const flows = node.client.annotate(await node.dumpFlows(n));
  return flows
    .map((f) => formatFlow({ ...f, cookie: undefined }).replace(/^table=\d+, /, ''))
    .sort();
}

test('a K8s NetworkPolicy (walkthrough step 9) blocks curl; adding the client to the group re-allows it', async () => {
  const [n1, n2, bb] = [node.pod('nginx-1'), node.pod('nginx-2'), node.pod('ch-busybox')];
  assert.equal(await curl(bb, n1), 'default/nginx-1', 'open by default (step 8)');

  // nginx-allow: podSelector app=nginx, ingress from podSelector app=nginx.
  const rule: NetworkPolicyRule = {
    direction: 'In',
    from: { addressGroups: ['ag-nginx'] },
    to: {},
    priority: 0,
  };
  await node.apply([
    addressGroup('ag-nginx', [member(n1), member(n2), remoteNginx]),
    appliedToGroup('atg-nginx', [n1, n2]),
    k8sPolicy('nginx-allow', [rule], 'atg-nginx'),
  ]);
  assert.equal(await curl(bb, n1), 'timeout', 'step 9: blocked');
  assert.equal(await curl(n2, n1), 'default/nginx-1', 'nginx to nginx still allowed');

  // Step 11: the flows of table 90.
  const gw = node.gatewayIP;
  const hex = (n: number) => `0x${n.toString(16)}`;
  const expected = [
    `priority=210,ct_state=-new+est,ip actions=goto_table:105`,
    `priority=210,ip,nw_src=${gw} actions=goto_table:105`,
    ...[n1.ip, n2.ip, remoteNginx.ips[0]].map(
      (ip) => `priority=200,ip,nw_src=${ip} actions=conjunction(1,1/2)`,
    ),
    ...[n1, n2].map((p) => `priority=200,ip,reg1=${hex(p.ofport)} actions=conjunction(1,2/2)`),
    `priority=190,conj_id=1,ip actions=load:0x1->NXM_NX_REG6[],goto_table:105`,
    `priority=0 actions=goto_table:100`,
  ].sort();
  assert.deepEqual(await table(Table.IngressRule), expected);
  // The isolated pods' default drops.
  const drops = (await table(Table.IngressDefaultRule)).filter((l) => l.endsWith('actions=drop'));
  assert.deepEqual(
    drops,
    [n1, n2].map((p) => `priority=200,ip,reg1=${hex(p.ofport)} actions=drop`).sort(),
  );

  // Step 10: ch-busybox labelled app=nginx joins the address group: one flow, one bundle.
  const changes = await node.apply([
    addressGroup('ag-nginx', [member(n1), member(n2), remoteNginx, member(bb)]),
  ]);
  assert.equal(changes, 1);
  assert.equal(await curl(bb, n1), 'default/nginx-1', 'step 10: allowed again');
  assert.ok(
    (await table(Table.IngressRule)).includes(
      `priority=200,ip,nw_src=${bb.ip} actions=conjunction(1,1/2)`,
    ),
  );

  // Relabelled back: blocked again (step 12's first half).
  assert.equal(
    await node.apply([addressGroup('ag-nginx', [member(n1), member(n2), remoteNginx])]),
    1,
  );
  assert.equal(await curl(bb, n1), 'timeout');

  await node.apply([{ kind: 'NetworkPolicy', type: 'delete', uid: 'nginx-allow' }]);
  assert.equal(await curl(bb, n1), 'default/nginx-1', 'policy gone: open again');
  assert.deepEqual(
    await table(Table.IngressRule),
    expected.filter((l) => !/conj/.test(l)),
  );
});

test('a rule with N source pods, M applied-to pods and P ports installs N+M+P+1 flows', async () => {
  const [n1, n2, bb] = [node.pod('nginx-1'), node.pod('nginx-2'), node.pod('ch-busybox')];
  const sources = [
    member(bb),
    remoteNginx,
    { pod: { name: 'x', namespace: 'default' }, ips: ['10.20.0.9'] },
  ];
  const rule: NetworkPolicyRule = {
    direction: 'In',
    from: { addressGroups: ['ag-n'] },
    to: {},
    services: [
      { protocol: 'TCP', port: 443 },
      { protocol: 'UDP', port: 53 },
    ],
    priority: 0,
  };
  const before = (await node.dumpFlows()).length;
  await node.apply([
    addressGroup('ag-n', sources),
    appliedToGroup('atg-n', [n1, n2]),
    k8sPolicy('nmp', [rule], 'atg-n'),
  ]);
  const [N, M, P] = [3, 2, 2];
  const isolation = M;
  assert.equal((await node.dumpFlows()).length - before, N + M + P + 1 + isolation);
  const ruleFlows = node.policy.policyFlows('nmp').filter((f) => f.table === Table.IngressRule);
  assert.equal(ruleFlows.length, N + M + P + 1);
  assert.equal(await curl(bb, n1, 443), 'default/nginx-1', 'allowed port');
  assert.equal(await curl(bb, n1, 80), 'timeout', 'port not in the rule');
  await node.apply([{ kind: 'NetworkPolicy', type: 'delete', uid: 'nmp' }]);
  assert.equal((await node.dumpFlows()).length, before);
});

test('Antrea-native tiers: Drop in an earlier tier wins over a K8s allow; Pass hands over to K8s policy', async () => {
  const [n1, n2, bb] = [node.pod('nginx-1'), node.pod('nginx-2'), node.pod('ch-busybox')];
  const acnp = (
    uid: string,
    tierPriority: number,
    action: 'Drop' | 'Pass' | 'Allow',
  ): PolicyEvent => ({
    kind: 'NetworkPolicy',
    type: 'upsert',
    object: {
      metadata: { name: uid, uid },
      rules: [{ direction: 'In', from: { addressGroups: ['ag-bb'] }, to: {}, priority: 0, action }],
      appliedToGroups: ['atg-n1'],
      priority: 5,
      tierPriority,
      sourceRef: { type: 'AntreaClusterNetworkPolicy', name: uid, uid },
    },
  });
  await node.apply([addressGroup('ag-bb', [member(bb)]), appliedToGroup('atg-n1', [n1])]);
  await node.apply([acnp('deny-bb', 100, 'Drop')]);
  assert.equal(await curl(bb, n1), 'timeout', 'SecurityOps Drop');
  assert.equal(await curl(n2, n1), 'default/nginx-1', 'others unaffected');
  const t = await node.trace(
    `in_port=${bb.ofport},tcp,dl_src=${bb.mac},dl_dst=${n1.mac},nw_src=${bb.ip},nw_dst=${n1.ip},tp_dst=80`,
  );
  assert.ok(t.tables.includes(Table.CNPSecurityOpsIngressRule));
  assert.equal(t.verdict, 'drop');

  // An Emergency-tier Allow comes first and overrides it.
  await node.apply([acnp('allow-bb', 50, 'Allow')]);
  assert.equal(await curl(bb, n1), 'default/nginx-1', 'Emergency Allow');
  // Pass in Emergency skips the remaining tiers (the Drop included) to K8s NetworkPolicy: open.
  await node.apply([acnp('allow-bb', 50, 'Pass')]);
  assert.equal(await curl(bb, n1), 'default/nginx-1', 'Pass, no K8s policy');
  await node.apply([
    { kind: 'NetworkPolicy', type: 'delete', uid: 'allow-bb' },
    { kind: 'NetworkPolicy', type: 'delete', uid: 'deny-bb' },
  ]);
});

test('cleanup leaves no namespace, link or OVS daemon of the test', async () => {
  const { prefix } = node.net;
  const pids = ['ovsdb-server', 'ovs-vswitchd'].map((p) =>
    Number(readFileSync(join(node.dir, `${p}.pid`), 'utf8')),
  );
  await node.stop();
  const namespaces = await run('ip', ['netns', 'list']);
  assert.doesNotMatch(namespaces, new RegExp(prefix));
  for (const pid of pids) assert.equal(running(pid), false, `OVS pid ${pid} stopped`);
  assert.equal(existsSync(node.dir), false, 'run dir removed');
});
