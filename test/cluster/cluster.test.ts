// The local cluster end to end (issue 6), on a cluster of its own started by the launcher:
// `up` to 3 Ready nodes and Running Antrea pods; pods on both workers talking TCP and UDP
// through the Geneve tunnel; `ovs-vsctl show` as in walkthrough step 5; the faults — agent,
// controller and API server SIGKILLed — with probes running through each; and `down` leaving
// nothing behind.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject, Pod } from '../../src/apis/index.js';
import { hostInterfaceName } from '../../src/agent/cniserver/ifname.js';
import { waitFor } from '../../src/cluster/progress.js';
import type { NodeSpec } from '../../src/cluster/layout.js';
import { LiveClusterSource } from '../../src/conformance/live.js';
import { TestCluster } from './harness.js';
import { parseOvsShow } from './ovsshow.js';
import { expectSteady, PROBE_TIMEOUT_MS, ProbeLoop } from './probeloop.js';
import type { Proc } from './procs.js';

const UP_LIMIT_MS = 180_000;
const TEST_TIMEOUT_MS = 180_000;

/** A kubectl table as rows of columns, header dropped. */
function rows(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/));
}

function restarts(pod: Pod, container: string): number {
  return pod.status?.containerStatuses?.find((s) => s.name === container)?.restartCount ?? -1;
}

function ready(pod: Pod): boolean {
  return (pod.status?.containerStatuses ?? []).every((s) => s.ready);
}

/** Ingress to x/a only from the namespaces listed. */
function xaPolicy(namespaces: string[]): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'fault-policy', namespace: 'x' },
    spec: {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchExpressions: [{ key: 'ns', operator: 'In', values: namespaces }],
              },
            },
          ],
        },
      ],
    },
  } as KubeObject;
}

describe('the local cluster, end to end', { timeout: 15 * 60_000 }, () => {
  let c: TestCluster;
  let upMs = 0;
  let model: LiveClusterSource;
  let ips: ReadonlyMap<string, string>;
  const apply = (o: KubeObject) => c.kubectl.run(['apply', '-f', '-'], JSON.stringify(o));
  const podJson = (ns: string, name: string) => c.kubectl.json<Pod>(['get', 'pod', '-n', ns, name]);

  before(async () => {
    c = await TestCluster.create(2);
    upMs = await c.up();
  });
  after(async () => c?.teardown());

  it(
    'up: 3 Ready nodes and the Antrea pods Running, within 3 minutes',
    { timeout: TEST_TIMEOUT_MS },
    async (t) => {
      await c.tracked(async () => {
        t.diagnostic(`up took ${(upMs / 1000).toFixed(1)} s (no installs or build)`);
        assert.ok(upMs < UP_LIMIT_MS, `up took ${upMs} ms`);
        const nodes = rows(await c.kubectl.run(['get', 'nodes']));
        assert.deepEqual(
          nodes.map(([name, status, roles]) => [name, status, roles]),
          c.nodes.map((n) => [n.name, 'Ready', n.controlPlane ? 'control-plane' : '<none>']),
        );
        const pods = rows(await c.kubectl.run(['get', 'pods', '-A', '-o', 'wide']));
        const antrea = pods.filter(
          ([ns, name]) => ns === 'kube-system' && name!.startsWith('antrea'),
        );
        // NAMESPACE NAME READY STATUS RESTARTS AGE IP NODE …
        const agents = antrea.filter(([, name]) => /^antrea-agent-[a-z0-9]{5}$/.test(name!));
        assert.deepEqual(
          agents.map((r) => [r[2], r[3], r[7]]).sort(),
          c.nodes.map((n) => ['2/2', 'Running', n.name]).sort(),
        );
        const controllers = antrea.filter(([, name]) =>
          /^antrea-controller-[a-z0-9]+-[a-z0-9]{5}$/.test(name!),
        );
        assert.deepEqual(
          controllers.map((r) => [r[2], r[3]]),
          [['1/1', 'Running']],
        );
        assert.equal(antrea.length, c.nodes.length + 1, 'no other antrea pods');
      });
    },
  );

  it(
    'pods on both workers reach each other over TCP and UDP through antrea-tun0',
    { timeout: TEST_TIMEOUT_MS },
    async (t) => {
      await c.tracked(async () => {
        model = new LiveClusterSource(
          c.layout.kubeconfig,
          c.workers.map((w) => w.name),
        );
        ips = await model.reset();
        const [w1, w2] = c.workers as [NodeSpec, NodeSpec];
        // x/a on the first worker, x/b on the second (the model spreads round robin).
        assert.equal((await podJson('x', 'a')).spec?.nodeName, w1.name);
        assert.equal((await podJson('x', 'b')).spec?.nodeName, w2.name);
        const tunnel = async (node: NodeSpec) => {
          const out = await c.ovsExec(node, 'ovs-ofctl', 'dump-ports', 'br-int', 'antrea-tun0');
          const [rx, tx] = [...out.matchAll(/[rt]x pkts=(\d+)/g)].map((m) => Number(m[1]));
          return { rx: rx!, tx: tx! };
        };
        const before = [await tunnel(w1), await tunnel(w2)];
        for (const [src, dst] of [
          ['a', 'b'],
          ['b', 'a'],
        ] as const) {
          const ip = ips.get(`x/${dst}`)!;
          const http = await c.kubectl.run([
            'exec',
            '-n',
            'x',
            src,
            '--',
            'curl',
            '-s',
            '--max-time',
            '5',
            `http://${ip}:80/`,
          ]);
          assert.equal(http.trim(), `x/${dst}`, `TCP x/${src} → x/${dst}`);
          const udp = await c.kubectl.run([
            'exec',
            '-n',
            'x',
            src,
            '--',
            'sh',
            '-c',
            `echo probe | nc -u -w 1 ${ip} 81`,
          ]);
          assert.equal(udp.trim(), `x/${dst}`, `UDP x/${src} → x/${dst}`);
        }
        const delta = (await Promise.all([tunnel(w1), tunnel(w2)])).map((s, i) => ({
          rx: s.rx - before[i]!.rx,
          tx: s.tx - before[i]!.tx,
        }));
        t.diagnostic(`antrea-tun0 packets: ${JSON.stringify(delta)}`);
        // Each direction's TCP handshake and UDP exchange left one worker and entered the other.
        for (const d of delta) assert.ok(d.rx >= 4 && d.tx >= 4, JSON.stringify(delta));
      });
    },
  );

  it(
    'ovs-vsctl show on a worker matches walkthrough step 5',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      await c.tracked(async () => {
        // nginx as in the seed, on the first worker (next to x/a, x/c, y/b, z/a, z/c).
        const worker = c.workers[0]!;
        await apply({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'nginx-deployment', namespace: 'default' },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: 'nginx' } },
            template: {
              metadata: { labels: { app: 'nginx' } },
              spec: {
                nodeSelector: { 'kubernetes.io/hostname': worker.name },
                containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }],
              },
            },
          },
        } as KubeObject);
        await c.deploymentReady('default', 'nginx-deployment', 2, 60_000);
        const bridges = parseOvsShow(await c.ovsExec(worker, 'ovs-vsctl', 'show'));
        const brInt = bridges.get('br-int');
        assert.ok(brInt, 'bridge br-int');
        assert.deepEqual(brInt.get('antrea-gw0'), { type: 'internal' });
        assert.deepEqual(brInt.get('antrea-tun0'), {
          type: 'geneve',
          options: '{csum="true", key=flow, remote_ip=flow}',
        });
        // One port per local pod, named `<first 8 of the pod name>-<6 hex>` (nginx-de-548af9).
        const expected = c
          .podRecords(worker)
          .filter((r) => !r.hostNetwork)
          .map((r) => hostInterfaceName(r.name, r.sandboxId));
        const podPorts = [...brInt.keys()].filter(
          (p) => !['br-int', 'antrea-gw0', 'antrea-tun0'].includes(p),
        );
        assert.deepEqual(podPorts.sort(), expected.sort());
        assert.ok(
          podPorts.some((p) => /^nginx-de-[0-9a-f]{6}$/.test(p)),
          podPorts.join(' '),
        );
        for (const p of podPorts) assert.match(p, /^[a-z0-9-]{1,8}-[0-9a-f]{6}$/);
      });
    },
  );

  it(
    'pods resolve Service names through the cluster DNS (the resolv.conf the kubelet writes)',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      await c.tracked(async () => {
        const resolve = (name: string) =>
          c.kubectl.run(['exec', '-n', 'x', 'a', '--', 'getent', 'ahostsv4', name]);
        // A short name through the namespace search path, and a fully qualified one.
        assert.match(await resolve('kube-dns.kube-system'), /^10\.96\.0\.10\s/m);
        assert.match(await resolve('kubernetes.default.svc.cluster.local'), /^10\.96\.0\.1\s/m);
        const conf = await c.kubectl.run(['exec', '-n', 'x', 'a', '--', 'cat', '/etc/resolv.conf']);
        assert.match(conf, /^search x\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
      });
    },
  );

  describe('faults', () => {
    // x/a on the first worker; y/a and z/b on the second. The policy lets y in, not z.
    let allowed: ProbeLoop;
    let denied: ProbeLoop;
    let w1: NodeSpec;

    before(() =>
      c.tracked(async () => {
        w1 = c.workers[0]!;
        assert.equal((await podJson('y', 'a')).spec?.nodeName, c.workers[1]!.name);
        assert.equal((await podJson('z', 'b')).spec?.nodeName, c.workers[1]!.name);
        await apply(xaPolicy(['y']));
        const target = ips.get('x/a')!;
        allowed = new ProbeLoop('y/a → x/a', c.podNetns('y', 'a'), target, 80, 'TCP');
        denied = new ProbeLoop('z/b → x/a', c.podNetns('z', 'b'), target, 80, 'TCP');
        const t0 = Date.now();
        await allowed.until(true, t0, 30_000);
        await denied.until(false, t0, 30_000);
      }),
    );
    after(async () => Promise.all([allowed?.stop(), denied?.stop()]));

    /**
     * Lets z in until the probe sees it, then shuts it out again: proof that the control plane
     * is followed. When the change was applied and when the probe saw it.
     */
    async function letZInAndOut(): Promise<{ applied: number; seen: number }> {
      const applied = Date.now();
      await apply(xaPolicy(['y', 'z']));
      const seen = await denied.until(true, applied, 30_000);
      const reverted = Date.now();
      await apply(xaPolicy(['y']));
      await denied.until(false, reverted, 30_000);
      return { applied, seen };
    }

    /** Polls (every 20 ms) until a different process runs the container; when it was first seen. */
    async function replaced(node: NodeSpec, pod: string, container: string, old: Proc) {
      return waitFor(
        `a new ${container} process`,
        async () => {
          const p = c.containerProcess(node, pod, container);
          return p && p.pid !== old.pid ? { proc: p, at: Date.now() } : undefined;
        },
        60_000,
        20,
      );
    }

    it(
      'agent SIGKILLed: pods keep connectivity and policies; it restarts and resyncs',
      { timeout: TEST_TIMEOUT_MS },
      async (t) => {
        await c.tracked(async () => {
          const flows = await c.flows(w1);
          const agent = c.containerProcess(w1, 'antrea-agent-', 'antrea-agent');
          assert.ok(agent, 'antrea-agent process');
          const restartsBefore = restarts(await c.agentPod(w1), 'antrea-agent');
          const t0 = Date.now();
          process.kill(agent.pid, 'SIGKILL');
          const back = await replaced(w1, 'antrea-agent-', 'antrea-agent', agent);
          const pod = await waitFor(
            'the agent pod 2/2 again with one more restart',
            async () => {
              const p = await c.agentPod(w1);
              return restarts(p, 'antrea-agent') === restartsBefore + 1 && ready(p) ? p : undefined;
            },
            60_000,
          );
          assert.equal(pod.status?.phase, 'Running');
          // Through its start and resync until it realizes a new change, nothing changed. The
          // restarted agent realizes a change within a few hundred ms: the denied probe's window
          // ends a probe timeout before it, and lasts at least two seconds from the kill.
          await new Promise((r) => setTimeout(r, t0 + 2000 + PROBE_TIMEOUT_MS - Date.now()));
          const { applied, seen } = await letZInAndOut();
          const n =
            (await expectSteady(allowed, true, t0, Date.now())) +
            (await expectSteady(denied, false, t0, applied - PROBE_TIMEOUT_MS));
          t.diagnostic(
            `agent back after ${back.at - t0} ms; a change applied at +${applied - t0} ms seen at +${seen - t0} ms; ${n} probes, none wrong`,
          );
          // The restarted agent ends where the old one was: not one flow more or less.
          assert.deepEqual(await c.flows(w1), flows);
        });
      },
    );

    it(
      'controller SIGKILLed: flows stay; a change made meanwhile applies once it is back',
      { timeout: TEST_TIMEOUT_MS },
      async (t) => {
        await c.tracked(async () => {
          const flows = await Promise.all(c.workers.map((w) => c.flows(w)));
          const ctrl = c.containerProcess(
            c.controlPlane,
            'antrea-controller-',
            'antrea-controller',
          );
          assert.ok(ctrl, 'antrea-controller process');
          const t0 = Date.now();
          process.kill(ctrl.pid, 'SIGKILL');
          assert.deepEqual(await Promise.all(c.workers.map((w) => c.flows(w))), flows);
          await apply(xaPolicy(['y', 'z']));
          const back = await replaced(
            c.controlPlane,
            'antrea-controller-',
            'antrea-controller',
            ctrl,
          );
          const seen = await denied.until(true, t0, 60_000);
          // Every probe had the old verdict until the controller was back.
          const n =
            (await expectSteady(denied, false, t0, back.at)) +
            (await expectSteady(allowed, true, t0, seen));
          t.diagnostic(
            `controller back after ${back.at - t0} ms; the change made meanwhile seen after ${seen - t0} ms; ${n} probes`,
          );
          await apply(xaPolicy(['y']));
          await denied.until(false, Date.now(), 30_000);
          assert.deepEqual(await Promise.all(c.workers.map((w) => c.flows(w))), flows);
        });
      },
    );

    it(
      'API server SIGKILLed and `up` again: nothing lost, the cluster goes on',
      { timeout: TEST_TIMEOUT_MS },
      async (t) => {
        await c.tracked(async () => {
          const snapshot = async () => {
            const list = await c.kubectl.json<{ items: (Pod & { spec?: { podCIDR?: string } })[] }>(
              ['get', 'nodes,namespaces,pods,services,deployments,networkpolicies', '-A'],
            );
            return list.items
              .map((o) =>
                [
                  o.kind,
                  o.metadata.namespace,
                  o.metadata.name,
                  o.metadata.uid,
                  JSON.stringify(o.metadata.labels ?? {}),
                  o.spec?.podCIDR ?? '',
                  o.status?.podIP ?? '',
                  (o.status?.containerStatuses ?? []).map((s) => s.restartCount).join(','),
                ].join(' '),
              )
              .sort();
          };
          const objects = await snapshot();
          const pid = c.launcherPid('kube-apiserver');
          const t0 = Date.now();
          process.kill(pid, 'SIGKILL');
          const upAgainMs = await c.up();
          const t1 = Date.now();
          const n =
            (await expectSteady(allowed, true, t0, t1)) +
            (await expectSteady(denied, false, t0, t1));
          assert.notEqual(c.launcherPid('kube-apiserver'), pid);
          assert.deepEqual(await snapshot(), objects);
          t.diagnostic(`up restarted it in ${upAgainMs} ms; ${n} probes meanwhile, none changed`);
          // The watchers came back: a policy change reaches the agents, a new pod starts.
          await letZInAndOut();
          await apply({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'after-restart', namespace: 'x', labels: { pod: 'after-restart' } },
            spec: { nodeName: c.workers[1]!.name, containers: [{ name: 'c', image: 'agnhost' }] },
          } as KubeObject);
          await c.kubectl.run([
            'wait',
            '--for=condition=Ready',
            'pod/after-restart',
            '-n',
            'x',
            '--timeout=60s',
          ]);
          assert.ok((await podJson('x', 'after-restart')).status?.podIP);
        });
      },
    );
  });

  it('down leaves no netns, veth, bridge or process', { timeout: TEST_TIMEOUT_MS }, async () => {
    await c.tracked(async () => assert.deepEqual(await c.down(), []));
  });
});
