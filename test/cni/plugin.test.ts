// The CNI plugin driven as containerd drives it (conflist, CNI_* environment, config on stdin, a
// real network namespace per pod) against a real agent and a real OVS: 30 concurrent ADDs, TCP
// between the pods and to the gateway, antctl, bad input, CHECK, and DEL leaving nothing behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { run } from '../../src/util/exec.js';
import { TestNode } from './node.js';
import type { Sandbox } from './runtime.js';
import { NcServer, sendTo } from './traffic.js';

const N = 30;
const CIDR = '10.124.0.0/24';
const GATEWAY = '10.124.0.1';
const ANTCTL = fileURLToPath(new URL('../../src/antctl/main.js', import.meta.url));

interface Pod {
  readonly sb: Sandbox;
  readonly result: Record<string, unknown>;
  readonly ip: string;
  readonly hostIf: string;
}

let node: TestNode;
let baseline: Awaited<ReturnType<TestNode['snapshot']>>;
const pods: Pod[] = [];
const servers: NcServer[] = [];

before(async () => {
  node = await TestNode.start('cnip', CIDR);
  await node.startAgent();
  baseline = await node.snapshot();
});

after(async () => {
  for (const s of servers) s.stop();
  if (process.env.CNI_TEST_LOG) process.stderr.write((await node?.log()) ?? '');
  await node?.cleanup();
});

test(`${N} pods ADDed concurrently get unique addresses and seed-style interface names`, async (t) => {
  const sandboxes = await Promise.all(
    Array.from({ length: N }, (_, i) => node.sandbox(`nginx-deployment-cc7df4f8f-${i}`)),
  );
  const started = performance.now();
  const runs = await Promise.all(sandboxes.map((sb) => node.runtime.add(sb)));
  t.diagnostic(`${N} concurrent ADDs: ${Math.round(performance.now() - started)} ms in all`);
  for (const [i, r] of runs.entries()) {
    assert.equal(r.code, 0, `ADD ${i}: ${r.stdout}`);
    const res = r.json as {
      cniVersion: string;
      interfaces: { name: string; sandbox?: string }[];
      ips: { address: string; gateway: string }[];
    };
    assert.equal(res.cniVersion, '1.0.0');
    assert.equal(res.ips[0].gateway, GATEWAY);
    assert.equal(res.interfaces[1].sandbox, sandboxes[i].netns);
    assert.match(res.interfaces[0].name, /^nginx-de-[0-9a-f]{6}$/);
    pods.push({
      sb: sandboxes[i],
      result: r.json!,
      ip: res.ips[0].address.split('/')[0],
      hostIf: res.interfaces[0].name,
    });
  }
  assert.equal(new Set(pods.map((p) => p.ip)).size, N, 'unique addresses');
  assert.ok(pods.every((p) => p.ip.startsWith('10.124.0.') && p.ip !== GATEWAY));
  const ports = new Map(
    (await node.ovs.vsctl.listInterfaces(node.ovs.bridge)).map((i) => [i.name, i]),
  );
  for (const p of pods) {
    const ids = ports.get(p.hostIf)?.externalIds;
    assert.equal(ids?.['container-id'], p.sb.containerId);
    assert.equal(ids?.['pod-name'], p.sb.name);
    assert.equal(ids?.['ip-address'], p.ip);
  }
  // TX checksum offload off on both ends of a pod's veth (the first pod stands for all).
  const txOff = (out: string) => /^tx-checksumming: off/m.test(out);
  const host = await run('ethtool', ['-k', pods[0].hostIf], { netns: node.ovs.netns });
  const podEnd = await run('nsenter', [
    `--net=${pods[0].sb.netns}`,
    'ethtool',
    '-k',
    pods[0].sb.ifName,
  ]);
  assert.ok(txOff(host) && txOff(podEnd), 'tx-checksumming off on the host and pod ends');
  // No IPv6 on either end (IPv4-only pods; their link-local chatter would only load OVS).
  const v6 = ['-6', '-o', 'addr', 'show', 'dev'];
  assert.equal(await run('ip', ['-n', node.ovs.netns, ...v6, pods[0].hostIf]), '');
  assert.equal(await run('nsenter', [`--net=${pods[0].sb.netns}`, 'ip', ...v6, 'eth0']), '');
});

test('every pod reaches two peers and the gateway over TCP, and every pod is reached', async () => {
  servers.push(NcServer.start(`/var/run/netns/${node.ovs.netns}`, GATEWAY));
  for (const p of pods) servers.push(NcServer.start(p.sb.netns, p.ip));
  const peers = (i: number): number[] => [(i + 1) % N, (i + 7) % N];
  await Promise.all(
    pods.map((p, i) =>
      sendTo(p.sb.netns, [...peers(i).map((j) => pods[j].ip), GATEWAY], `from-${i}`),
    ),
  );
  const [gateway, ...podServers] = servers;
  assert.equal(new Set(await gateway.linesOnce(N)).size, N, 'the gateway heard from every pod');
  for (const [j, s] of podServers.entries()) {
    const expected = pods.map((_, i) => i).filter((i) => peers(i).includes(j));
    assert.deepEqual(
      (await s.linesOnce(expected.length)).sort(),
      expected.map((i) => `from-${i}`).sort(),
      `pod ${j} heard its peers`,
    );
  }
});

test('antctl get podinterface prints the seed columns, and -o json|yaml the objects', async () => {
  const antctl = (...args: string[]): Promise<string> =>
    run(process.execPath, [ANTCTL, 'get', 'podinterface', ...args], {
      env: { ANTREA_AGENT_SOCKET: node.apiSocket },
    });
  const table = (await antctl()).trimEnd().split('\n');
  assert.deepEqual(table[0].split(/\s+/), [
    'NAMESPACE',
    'NAME',
    'INTERFACE-NAME',
    'IP',
    'MAC',
    'PORT-UUID',
    'OF-PORT',
    'CONTAINER-ID',
  ]);
  assert.equal(table.length, N + 1);
  const row = table.find((l) => l.includes(pods[0].hostIf))?.split(/\s+/);
  assert.deepEqual(row?.slice(0, 4), ['default', pods[0].sb.name, pods[0].hostIf, pods[0].ip]);
  assert.equal(row?.[7], pods[0].sb.containerId.slice(0, 11));
  const json = JSON.parse(await antctl('-o', 'json')) as {
    name: string;
    ofPort: number;
    portUUID: string;
  }[];
  assert.equal(json.length, N);
  assert.deepEqual(parseYaml(await antctl('-o', 'yaml')), json);
  const one = JSON.parse(await antctl(pods[3].sb.name, '-n', 'default', '-o', 'json')) as {
    interfaceName: string;
  }[];
  assert.deepEqual(
    one.map((i) => i.interfaceName),
    [pods[3].hostIf],
  );
});

test('bad input: spec error objects with the right codes, nothing created, other pods untouched', async () => {
  const before = await node.snapshot();
  const victim = await node.sandbox('bad-input');
  const conf = JSON.stringify(node.runtime.config());
  const cases: { what: string; env: Record<string, string>; stdin: string; code: number }[] = [
    {
      what: 'unknown cniVersion',
      env: node.runtime.env('ADD', victim),
      stdin: JSON.stringify({ ...node.runtime.config(), cniVersion: '0.9.9' }),
      code: 1,
    },
    {
      what: 'missing CNI_NETNS',
      env: { ...node.runtime.env('ADD', victim), CNI_NETNS: '' },
      stdin: conf,
      code: 4,
    },
    {
      what: 'missing CNI_COMMAND',
      env: { ...node.runtime.env('ADD', victim), CNI_COMMAND: '' },
      stdin: conf,
      code: 4,
    },
    {
      what: 'malformed JSON',
      env: node.runtime.env('ADD', victim),
      stdin: conf.slice(0, -5),
      code: 6,
    },
    {
      what: 'unknown netns',
      env: {
        ...node.runtime.env('ADD', victim),
        CNI_NETNS: '/var/run/netns/no-such-netns-for-cni-test',
      },
      stdin: conf,
      code: 3,
    },
  ];
  for (const c of cases) {
    const r = await node.runtime.exec(c.env, c.stdin);
    assert.notEqual(r.code, 0, `${c.what}: exit code`);
    assert.equal(r.json?.code, c.code, `${c.what}: ${r.stdout}`);
    assert.equal(typeof r.json?.msg, 'string');
    assert.equal(typeof r.json?.cniVersion, 'string');
  }
  const version = await node.runtime.exec(node.runtime.env('VERSION'), '{"cniVersion":"1.0.0"}');
  assert.deepEqual(JSON.parse(version.stdout).supportedVersions, [
    '0.3.0',
    '0.3.1',
    '0.4.0',
    '1.0.0',
    '1.1.0',
  ]);
  assert.deepEqual(await node.snapshot(), before, 'nothing created or removed');
  await sendTo(pods[0].sb.netns, [pods[1].ip], 'after-bad-input');
});

test('two concurrent ADDs of one container are serialised: one interface, one address', async () => {
  const before = await node.snapshot();
  const sb = await node.sandbox('twice');
  const [r1, r2] = await Promise.all([node.runtime.add(sb), node.runtime.add(sb)]);
  assert.deepEqual([r1.code, r2.code], [0, 0], r1.stdout + r2.stdout);
  assert.deepEqual(r1.json, r2.json);
  const ports = await node.ovs.vsctl.listInterfaces(node.ovs.bridge);
  assert.equal(ports.filter((p) => p.externalIds['container-id'] === sb.containerId).length, 1);
  assert.equal((await node.runtime.del(sb, r1.json)).code, 0);
  assert.deepEqual(await node.snapshot(), before);
});

test('GC (CNI 1.1) tears down what the runtime no longer lists; STATUS answers', async () => {
  const gone = pods[N - 1];
  const conf = {
    ...node.runtime.config(),
    cniVersion: '1.1.0',
    'cni.dev/valid-attachments': pods
      .slice(0, N - 1)
      .map((p) => ({ containerID: p.sb.containerId, ifname: 'eth0' })),
  };
  const gc = await node.runtime.exec(node.runtime.env('GC'), JSON.stringify(conf));
  assert.equal(gc.code, 0, gc.stdout);
  const ports = (await node.ovs.vsctl.listInterfaces(node.ovs.bridge)).map((i) => i.name);
  assert.ok(!ports.includes(gone.hostIf), 'the unlisted pod is gone');
  assert.ok(
    pods.slice(0, N - 1).every((p) => ports.includes(p.hostIf)),
    'the listed pods stay',
  );
  const status = await node.runtime.exec(
    node.runtime.env('STATUS'),
    JSON.stringify({ ...node.runtime.config(), cniVersion: '1.1.0' }),
  );
  assert.equal(status.code, 0, status.stdout);
});

test('CHECK passes, then fails once the host veth is removed by hand', async () => {
  const [p] = pods;
  const ok = await node.runtime.check(p.sb, p.result);
  assert.equal(ok.code, 0, ok.stdout);
  assert.equal(ok.stdout, '');
  await run('ip', ['-n', node.ovs.netns, 'link', 'del', p.hostIf]);
  const bad = await node.runtime.check(p.sb, p.result);
  assert.notEqual(bad.code, 0);
  assert.equal(bad.json?.code, 103, bad.stdout);
  assert.match(String(bad.json?.msg), new RegExp(p.hostIf));
});

test('DEL of every pod leaves no veth, port, address or flow; DEL twice succeeds', async () => {
  const first = await Promise.all(pods.map((p) => node.runtime.del(p.sb, p.result)));
  assert.deepEqual(
    first.map((r) => r.code),
    pods.map(() => 0),
    first.map((r) => r.stdout).join(''),
  );
  assert.deepEqual(await node.snapshot(), baseline);
  // A second DEL of a sample (each is a plugin process; the machine has two cores).
  const again = await Promise.all(pods.slice(0, 5).map((p) => node.runtime.del(p.sb, p.result)));
  assert.deepEqual(
    again.map((r) => r.code),
    [0, 0, 0, 0, 0],
    again.map((r) => r.stdout).join(''),
  );
  assert.deepEqual(await node.snapshot(), baseline);
});
