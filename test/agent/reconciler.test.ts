// The agent's policy controller without OVS (a sink records each bundle): rule ids by content,
// set differences only, one flow per address change however many rules share the group, named
// ports per pod, ipBlock excepts, native priorities, and recovery after a rejected bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  GroupMember,
  InternalNetworkPolicy,
  NetworkPolicyRule,
  RuleAction,
} from '../../src/apis/index.js';
import {
  NetworkPolicyController,
  type PolicyEvent,
} from '../../src/agent/networkpolicy/controller.js';
import { ipBlockCIDRs } from '../../src/agent/networkpolicy/ipblock.js';
import { OpenflowClient } from '../../src/agent/openflow/client.js';
import { portMatches } from '../../src/agent/openflow/policy.js';
import type { PodInterface } from '../../src/agent/openflow/types.js';
import { formatFlow } from '../../src/ovs/flowtext.js';
import type { FlowChange } from '../../src/ovs/ofctl.js';

class Harness {
  bundles: FlowChange[][] = [];
  fail = false;
  readonly pods = new Map<string, PodInterface>();
  readonly client = new OpenflowClient(
    {
      applyBundle: async (changes) => {
        if (this.fail) throw new Error('OVS said no');
        this.bundles.push([...changes]);
      },
    },
    { gateway: { ofport: 2, ip: '10.10.0.1', mac: '02:00:00:00:00:01' }, antreaPolicy: true },
  );
  readonly controller = new NetworkPolicyController(this.client, {
    podInterface: (ns, name) => this.pods.get(`${ns}/${name}`),
  });

  addPod(name: string, ofport: number): GroupMember {
    const ip = `10.10.0.${ofport}`;
    this.pods.set(`default/${name}`, {
      namespace: 'default',
      podName: name,
      ifName: name,
      ofport,
      ips: [ip],
      mac: `02:00:00:00:00:${ofport.toString(16).padStart(2, '0')}`,
    });
    return { pod: { name, namespace: 'default' }, ips: [ip] };
  }

  /** The last bundle, as `op flow-text` lines. */
  last(): string[] {
    return (this.bundles.at(-1) ?? []).map((c) => `${c.op} ${formatFlow(c.flow)}`);
  }

  apply(events: PolicyEvent[]): Promise<number> {
    return this.controller.apply(events);
  }
}

const ip = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const remote = (n: number): GroupMember => ({
  pod: { name: `r${n}`, namespace: 'default' },
  ips: [ip(n)],
});
const ag = (name: string, groupMembers: GroupMember[]): PolicyEvent => ({
  kind: 'AddressGroup',
  type: 'upsert',
  object: { metadata: { name }, groupMembers },
});
const atg = (name: string, groupMembers: GroupMember[]): PolicyEvent => ({
  kind: 'AppliedToGroup',
  type: 'upsert',
  object: { metadata: { name }, groupMembers },
});
function k8s(uid: string, rules: NetworkPolicyRule[], appliedTo = 'atg'): PolicyEvent {
  const object: InternalNetworkPolicy = {
    metadata: { name: uid, uid, namespace: 'default' },
    rules,
    appliedToGroups: [appliedTo],
    policyTypes: ['Ingress'],
    sourceRef: { type: 'K8sNetworkPolicy', namespace: 'default', name: uid, uid },
  };
  return { kind: 'NetworkPolicy', type: 'upsert', object };
}
const from = (...addressGroups: string[]): NetworkPolicyRule => ({
  direction: 'In',
  from: { addressGroups },
  to: {},
  priority: 0,
});

test('one address added to a group used by 1,000 rules changes exactly one flow', async () => {
  const h = new Harness();
  const pod = h.addPod('server', 3);
  const events: PolicyEvent[] = [atg('atg', [pod]), ag('shared', [remote(1)])];
  for (let r = 0; r < 1000; r++) {
    events.push(ag(`own-${r}`, [remote(1000 + r)]), k8s(`np-${r}`, [from('shared', `own-${r}`)]));
  }
  await h.apply(events);
  assert.equal(await h.apply([ag('shared', [remote(1), remote(2)])]), 1);
  const [line] = h.last();
  assert.match(
    line,
    /^add table=90, priority=200,ip,nw_src=10\.0\.0\.2 actions=conjunction\(1,1\/2\),/,
  );
  assert.equal(line.split('conjunction(').length - 1, 1000);
  assert.equal(await h.apply([ag('shared', [remote(2)])]), 1, 'and one removed: one flow');
  assert.match(h.last()[0], /^delete table=90, priority=200,ip,nw_src=10\.0\.0\.1 /);
});

test('rules are identified by content: reordering them changes nothing', async () => {
  const h = new Harness();
  const pod = h.addPod('server', 3);
  await h.apply([
    atg('atg', [pod]),
    ag('a', [remote(1)]),
    ag('b', [remote(2)]),
    k8s('np', [from('a'), from('b')]),
  ]);
  assert.equal(await h.apply([k8s('np', [from('b'), from('a')])]), 0);
  assert.equal(
    await h.apply([k8s('np', [{ ...from('b'), priority: 7 }, from('a')])]),
    0,
    'K8s rules are unordered',
  );
});

test('an address still provided by another group of the rule stays', async () => {
  const h = new Harness();
  const pod = h.addPod('server', 3);
  await h.apply([
    atg('atg', [pod]),
    ag('a', [remote(1)]),
    ag('b', [remote(1), remote(2)]),
    k8s('np', [from('a', 'b')]),
  ]);
  assert.equal(await h.apply([ag('a', [])]), 0);
  assert.equal(await h.apply([ag('b', [remote(2)])]), 1);
  assert.match(h.last()[0], /^delete .*nw_src=10\.0\.0\.1 /);
});

test('N sources, M applied-to pods, P ports: N+M+P+1 flows', async () => {
  const h = new Harness();
  const pods = [h.addPod('p1', 3), h.addPod('p2', 4)];
  const sources = [remote(1), remote(2), remote(3), remote(4)];
  const rule: NetworkPolicyRule = {
    ...from('src'),
    services: [
      { protocol: 'TCP', port: 80 },
      { protocol: 'UDP', port: 53 },
      { protocol: 'SCTP', port: 9 },
    ],
  };
  await h.apply([atg('atg', pods), ag('src', sources), k8s('np', [rule])]);
  const ruleFlows = h.last().filter((l) => l.includes('table=90,'));
  assert.equal(ruleFlows.length, 4 + 2 + 3 + 1);
  assert.ok(ruleFlows.every((l) => /conjunction\(1,[123]\/3\)|conj_id=1/.test(l)));
});

test('named ports resolve per applied-to pod: pods with different numbers get different conjunctions', async () => {
  const h = new Harness();
  const a = {
    ...h.addPod('a', 3),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' as const }],
  };
  const b = {
    ...h.addPod('b', 4),
    ports: [{ name: 'http', port: 9090, protocol: 'TCP' as const }],
  };
  const c = h.addPod('c', 5); // no such port: not selected by the rule
  await h.apply([
    atg('atg', [a, b, c]),
    ag('src', [remote(1)]),
    k8s('np', [{ ...from('src'), services: [{ protocol: 'TCP', port: 'http' }] }]),
  ]);
  const lines = h.last().filter((l) => l.includes('table=90,'));
  assert.ok(lines.some((l) => /reg1=0x3 actions=conjunction\((\d+),2\/3\)/.test(l)));
  const conjOf = (re: RegExp) => re.exec(lines.join('\n'))?.[1];
  assert.notEqual(
    conjOf(/reg1=0x3 actions=conjunction\((\d+)/),
    conjOf(/reg1=0x4 actions=conjunction\((\d+)/),
  );
  assert.equal(
    conjOf(/tcp,tp_dst=8080 actions=conjunction\((\d+)/),
    conjOf(/reg1=0x3 actions=conjunction\((\d+)/),
  );
  assert.ok(!lines.some((l) => l.includes('reg1=0x5 actions=conj')), 'pod c is not in the rule');
  assert.ok(
    h.last().some((l) => /table=100, .*reg1=0x5 actions=drop/.test(l)),
    'but isolated by the policy',
  );
});

test('ipBlocks: the CIDR minus its excepts, and port ranges as value/mask', () => {
  assert.deepEqual(ipBlockCIDRs('10.0.0.0/24', ['10.0.0.128/25']), ['10.0.0.0/25']);
  assert.deepEqual(ipBlockCIDRs('10.0.0.0/30', ['10.0.0.1']), ['10.0.0.0', '10.0.0.2/31']);
  assert.deepEqual(ipBlockCIDRs('10.1.2.3/4'), ['0.0.0.0/4'], 'host bits masked');
  for (const [start, end] of [
    [1000, 2000],
    [0, 65535],
    [53, 80],
    [80, 80],
  ]) {
    const covered = new Set<number>();
    for (const p of portMatches(start, end)) {
      const [v, mask] = p.includes('/') ? p.split('/').map(Number) : [Number(p), 0xffff];
      for (let x = 0; x <= 0xffff; x++) if ((x & mask) === v) covered.add(x);
    }
    assert.equal(covered.size, end - start + 1);
    assert.ok([...covered].every((x) => x >= start && x <= end));
  }
});

test('Antrea-native rules: tier table and priority order; a new policy in between re-ranks the lower ones', async () => {
  const h = new Harness();
  const pod = h.addPod('server', 3);
  const acnp = (
    uid: string,
    priority: number,
    tierPriority = 250,
    action: RuleAction = 'Drop',
  ): PolicyEvent => ({
    kind: 'NetworkPolicy',
    type: 'upsert',
    object: {
      metadata: { name: uid, uid },
      rules: [{ ...from('src'), action }],
      appliedToGroups: ['atg'],
      priority,
      tierPriority,
      sourceRef: { type: 'AntreaClusterNetworkPolicy', name: uid, uid },
    },
  });
  await h.apply([atg('atg', [pod]), ag('src', [remote(1)]), acnp('p5', 5), acnp('p1', 1)]);
  const prio = (uid: string) => {
    const flows = h.controller.policyFlows(uid);
    assert.ok(flows.length > 0 && flows.every((f) => f.table === 89), 'Application tier table');
    return flows[0].priority;
  };
  assert.ok(prio('p1') > prio('p5'));
  const before5 = prio('p5');
  await h.apply([acnp('p3', 3)]);
  assert.ok(prio('p1') > prio('p3') && prio('p3') > prio('p5'));
  assert.ok(prio('p5') < before5, 'p5 moved down');
  await h.apply([acnp('e', 9, 50)]);
  assert.ok(
    h.controller.policyFlows('e').every((f) => f.table === 85),
    'Emergency tier table',
  );
  // Reject is realized as Drop for now.
  await h.apply([acnp('rj', 2, 250, 'Reject')]);
  assert.ok(
    h.controller
      .policyFlows('rj')
      .some((f) => f.match.some((m) => m.name === 'conj_id') && f.actions.length === 0),
  );
});

test('a rejected bundle changes nothing; the next batch realizes the desired state', async () => {
  const h = new Harness();
  const pod = h.addPod('server', 3);
  await h.apply([atg('atg', [pod]), ag('src', [remote(1)]), k8s('np', [from('src')])]);
  h.fail = true;
  await assert.rejects(h.apply([ag('src', [remote(1), remote(2)])]), /OVS said no/);
  h.fail = false;
  assert.equal(await h.apply([]), 1, 'the pending address');
  assert.match(h.last()[0], /^add .*nw_src=10\.0\.0\.2 /);
  assert.equal(await h.controller.resync(), 0, 'a full recomputation finds nothing to change');
  assert.deepEqual(h.controller.counts(), {
    networkPolicies: 1,
    addressGroups: 1,
    appliedToGroups: 1,
  });
});
