// The kubelet end to end on one node: real netns, the fake CNI plugin, the embedded API server,
// exec and logs through the PodRuntime client (and kubectl), restarts, re-adoption, deletion.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Readable } from 'node:stream';
import type { Container, Pod, PodCondition } from '../../../src/apis/core.js';
import type { PodRecord } from '../../../src/kube/kubelet/record.js';
import { run } from '../../../src/util/exec.js';
import { cniCalls } from './fakecni.js';
import { KubeletHarness, NODE_IP, SUBNET, ready } from './harness.js';

interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const collect = async (s: Readable | undefined): Promise<string> => {
  let out = '';
  if (s) for await (const c of s) out += (c as Buffer).toString();
  return out;
};

function pod(
  name: string,
  containers: Container[],
  spec: Partial<NonNullable<Pod['spec']>> = {},
): Pod {
  return { metadata: { name, namespace: 'default' }, spec: { containers, ...spec } };
}

const sleeper = (name = 'main'): Container => ({
  name,
  image: 'busybox',
  command: ['sleep', '3600'],
});
const containerStatus = (p: Pod, i = 0) =>
  p.status?.containerStatuses?.[i] as
    | (NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number] & {
        lastState?: { terminated?: { exitCode: number; reason: string } };
        containerID?: string;
      })
    | undefined;
const stateOf = <T>(p: Pod, key: string, i = 0): T | undefined =>
  containerStatus(p, i)?.state?.[key] as T | undefined;

describe('kubelet', () => {
  let h: KubeletHarness;

  before(async () => {
    h = await KubeletHarness.start('kblt');
  });
  after(async () => {
    await h?.stop();
  });

  async function exec(
    p: Pod,
    command: string[],
    opts: { stdin?: string; tty?: boolean; container?: string } = {},
  ): Promise<ExecResult> {
    const proc = await h.runtime.exec(p, opts.container ?? p.spec!.containers[0]!.name, command, {
      stdin: opts.stdin !== undefined,
      stdout: true,
      stderr: opts.tty !== true,
      tty: opts.tty === true,
    });
    if (opts.stdin !== undefined) proc.stdin!.end(opts.stdin);
    const [stdout, stderr, code] = await Promise.all([
      collect(proc.stdout),
      collect(proc.stderr),
      proc.exitCode,
    ]);
    return { code, stdout, stderr };
  }

  function record(p: Pod): PodRecord {
    return JSON.parse(
      readFileSync(join(h.dir, 'kubelet', 'pods', p.metadata.uid!, 'pod.json'), 'utf8'),
    ) as PodRecord;
  }

  it('starts a pod with the built-in server: netns, CNI ADD, status', async () => {
    const created = await h.createPod(
      pod('web', [
        {
          name: 'nginx',
          image: 'nginx:1.25',
          ports: [
            { containerPort: 80, protocol: 'TCP' },
            { containerPort: 5353, protocol: 'UDP' },
          ],
        },
      ]),
    );
    const web = await h.waitPod('web', ready, 'Ready');
    assert.equal(web.status?.phase, 'Running');
    assert.match(web.status?.podIP ?? '', new RegExp(`^${SUBNET.replace(/\./g, '\\.')}\\.\\d+$`));
    assert.deepEqual(JSON.parse(JSON.stringify(web.status?.podIPs)), [{ ip: web.status?.podIP }]);
    assert.equal(web.status?.hostIP, NODE_IP);
    assert.ok(web.status?.startTime);
    for (const type of ['Initialized', 'ContainersReady', 'Ready', 'PodScheduled']) {
      const c: PodCondition | undefined = web.status?.conditions?.find((x) => x.type === type);
      assert.equal(c?.status, 'True', type);
    }
    const cs = containerStatus(web)!;
    assert.equal(cs.ready, true);
    assert.equal(cs.restartCount, 0);
    assert.ok(stateOf(web, 'running'));

    const netns = `${h.net.prefix}-pod-${created.metadata.uid!.replace(/-/g, '').slice(0, 8)}`;
    assert.deepEqual(await h.podNamespaces(), [netns]);
    const adds = (await cniCalls(h.cni)).filter((c) => c.command === 'ADD');
    assert.deepEqual(
      adds.map((c) => c.type),
      ['fake-veth'],
    );
    assert.equal(adds[0]!.netns, `/var/run/netns/${netns}`);
    assert.match(adds[0]!.args, /K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;/);
    assert.equal(adds[0]!.containerId, record(web).sandboxId);
  });

  it('pods reach each other: HTTP and UDP of the built-in server, from another pod', async () => {
    await h.createPod(
      pod('echo', [{ name: 'srv', image: 'agnhost', ports: [{ containerPort: 8080 }] }]),
    );
    await h.createPod(pod('client', [sleeper()]));
    const [web, echo, client] = [
      await h.getPod('web'),
      await h.waitPod('echo', ready, 'Ready'),
      await h.waitPod('client', ready, 'Ready'),
    ];
    const page = await exec(client, ['curl', '-s', `http://${web.status!.podIP}/`]);
    assert.equal(page.code, 0, page.stderr);
    assert.match(page.stdout, /<title>Welcome to nginx!<\/title>/);
    const udp = await exec(client, ['sh', '-c', `echo hi | nc -u -w1 ${web.status!.podIP} 5353`]);
    assert.equal(udp.stdout, 'default/web');
    const http = await exec(client, ['curl', '-s', `http://${echo.status!.podIP}:8080/`]);
    assert.equal(http.stdout, 'default/echo\n');
    const tcp = await exec(client, ['nc', '-q', '1', echo.status!.podIP!, '8080'], {
      stdin: 'x\n',
    });
    assert.equal(tcp.stdout, 'default/echo\n');
  });

  it('exec: exit code, stdin, a TTY, the container environment', async () => {
    await h.createPod(
      pod('envpod', [
        {
          ...sleeper(),
          env: [
            { name: 'GREETING', value: 'hello' },
            { name: 'MSG', value: '$(GREETING) world' },
            { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          ] as Container['env'],
        },
      ]),
    );
    const client = await h.getPod('client');
    assert.equal((await exec(client, ['sh', '-c', 'exit 3'])).code, 3);
    const cat = await exec(client, ['cat'], { stdin: 'hello stdin\n' });
    assert.deepEqual(cat, { code: 0, stdout: 'hello stdin\n', stderr: '' });
    const err = await exec(client, ['sh', '-c', 'echo oops >&2']);
    assert.equal(err.stderr, 'oops\n');
    const tty = await exec(client, ['tty'], { tty: true });
    assert.match(tty.stdout, /^\/dev\/pts\/\d+/);
    const ip = await exec(client, ['ip', '-o', '-4', 'addr', 'show', 'eth0']);
    assert.ok(ip.stdout.includes(`${client.status!.podIP}/24`), ip.stdout);
    await assert.rejects(exec(client, ['no-such-command']), /executable file not found/);

    const envpod = await h.waitPod('envpod', ready, 'Ready');
    const env = await exec(envpod, [
      'sh',
      '-c',
      'echo "$MSG|$MY_POD|$MY_IP|$NODE_EXTRA|$HOSTNAME"',
    ]);
    assert.equal(env.stdout, `hello world|envpod|${envpod.status!.podIP}|from-node|envpod\n`);
  });

  it('kubectl exec and logs go through the API server to the kubelet', async () => {
    const kubectl = (args: string[], input?: string) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        const child = execFile(
          'kubectl',
          ['--kubeconfig', h.kubeconfigPath, ...args],
          (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
        );
        child.stdin!.end(input ?? '');
      });
    assert.equal((await kubectl(['exec', 'client', '--', 'sh', '-c', 'exit 3'])).code, 3);
    const cat = await kubectl(['exec', '-i', 'client', '--', 'cat'], 'through kubectl\n');
    assert.deepEqual(cat, { code: 0, stdout: 'through kubectl\n' });
    await h.createPod(
      pod('talker', [
        { name: 't', image: 'busybox', command: ['sh', '-c', 'echo said-this; sleep 3600'] },
      ]),
    );
    await h.waitPod('talker', ready, 'Ready');
    assert.equal((await kubectl(['logs', 'talker'])).stdout, 'said-this\n');
  });

  it('restartPolicy: restarts counted with back-off; Never, OnFailure, init containers', async () => {
    await h.createPod(
      pod('crash', [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo boom; exit 1'] }]),
    );
    await h.createPod(
      pod('never', [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 3'] }], {
        restartPolicy: 'Never',
      }),
    );
    await h.createPod(
      pod('onfail', [{ name: 'c', image: 'busybox', command: ['true'] }], {
        restartPolicy: 'OnFailure',
      }),
    );
    await h.createPod(
      pod('withinit', [sleeper()], {
        initContainers: [
          { name: 'init1', image: 'busybox', command: ['sh', '-c', 'echo first'] },
          { name: 'init2', image: 'busybox', command: ['true'] },
        ],
      }),
    );
    await h.createPod(pod('missing', [{ name: 'c', image: 'x', command: ['no-such-binary'] }]));

    const crash = await h.waitPod(
      'crash',
      (p) => (containerStatus(p)?.restartCount ?? 0) >= 3,
      '3 restarts',
    );
    assert.equal(crash.status?.phase, 'Running');
    assert.equal(containerStatus(crash)?.lastState?.terminated?.exitCode, 1);
    await h.waitPod(
      'crash',
      (p) => stateOf<{ reason: string }>(p, 'waiting')?.reason === 'CrashLoopBackOff',
      'CrashLoopBackOff',
    );

    const never = await h.waitPod('never', (p) => p.status?.phase === 'Failed', 'Failed');
    assert.deepEqual(
      [
        stateOf<{ exitCode: number }>(never, 'terminated')?.exitCode,
        containerStatus(never)?.restartCount,
      ],
      [3, 0],
    );
    await h.waitPod('onfail', (p) => p.status?.phase === 'Succeeded', 'Succeeded');

    const withinit = await h.waitPod('withinit', ready, 'Ready');
    const inits = withinit.status?.initContainerStatuses ?? [];
    assert.deepEqual(
      inits.map((s) => (s.state?.['terminated'] as { reason: string } | undefined)?.reason),
      ['Completed', 'Completed'],
    );
    assert.equal(
      withinit.status?.conditions?.find((c) => c.type === 'Initialized')?.status,
      'True',
    );

    const missing = await h.waitPod(
      'missing',
      (p) => containerStatus(p)?.lastState?.terminated?.reason === 'StartError',
      'StartError',
    );
    assert.equal(missing.status?.phase, 'Running');
  });

  it('an instance whose first process dies takes the rest of its processes with it', async () => {
    await h.createPod(pod('orphan', [sleeper()]));
    const p = await h.waitPod('orphan', ready, 'Ready');
    const wrapper = record(p).containers[0]!.running!.pid;
    // The command (sleep) is the wrapper shell's child; only the wrapper is killed.
    const children = readFileSync(`/proc/${wrapper}/task/${wrapper}/children`, 'utf8').trim();
    const command = Number(children.split(' ')[0]);
    assert.ok(command > 0, 'the command runs under the wrapper');
    process.kill(wrapper, 'SIGKILL');
    await h.waitPod('orphan', (x) => containerStatus(x)?.restartCount === 1 && ready(x), 'restart');
    // Like a PID namespace whose init died: no orphan keeps running next to the new instance.
    const stat = existsSync(`/proc/${command}/stat`)
      ? readFileSync(`/proc/${command}/stat`, 'utf8')
      : '';
    assert.ok(stat === '' || / Z /.test(stat), `the old command ${command} is gone`);
  });

  it('logs: all, tail, previous, follow', async () => {
    const crash = await h.getPod('crash');
    const logs = (
      container: string,
      opts: { tailLines?: number; previous?: boolean; follow?: boolean },
      signal = new AbortController().signal,
    ) => h.runtime.logs(crash, container, { follow: false, ...opts }, signal);
    assert.equal(await collect(await logs('c', {})), 'boom\n');
    assert.equal(await collect(await logs('c', { previous: true })), 'boom\n');
    const init = await h.getPod('withinit');
    assert.equal(
      await collect(
        await h.runtime.logs(init, 'init1', { follow: false }, new AbortController().signal),
      ),
      'first\n',
    );

    await h.createPod(
      pod('ticker', [
        {
          name: 't',
          image: 'busybox',
          command: ['sh', '-c', 'i=0; while :; do echo line $i; i=$((i+1)); sleep 0.1; done'],
        },
      ]),
    );
    const ticker = await h.waitPod('ticker', ready, 'Ready');
    await new Promise((r) => setTimeout(r, 500));
    const tail = await collect(
      await h.runtime.logs(
        ticker,
        't',
        { follow: false, tailLines: 2 },
        new AbortController().signal,
      ),
    );
    assert.equal(tail.split('\n').filter((l) => l !== '').length, 2);

    const abort = new AbortController();
    const stream = await h.runtime.logs(ticker, 't', { follow: true, tailLines: 1 }, abort.signal);
    let followed = '';
    stream.on('data', (d: Buffer) => (followed += d.toString()));
    stream.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 800));
    abort.abort();
    const numbers = followed
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => Number(l.split(' ')[1]));
    assert.ok(numbers.length >= 4, followed);
    assert.deepEqual(
      numbers,
      numbers.map((_, i) => numbers[0]! + i),
    );
  });

  it('hostNetwork pods run in the node namespace with the node IP', async () => {
    await h.createPod(pod('hostnet', [sleeper()], { hostNetwork: true }));
    const p = await h.waitPod('hostnet', ready, 'Ready');
    assert.equal(p.status?.podIP, NODE_IP);
    const out = await exec(p, ['ip', '-o', '-4', 'addr', 'show', 'br0']);
    assert.ok(out.stdout.includes(`${NODE_IP}/24`), out.stdout);
    const callsFor = (await cniCalls(h.cni)).filter((c) =>
      c.args.includes('K8S_POD_NAME=hostnet;'),
    );
    assert.deepEqual(callsFor, []);
  });

  it('a restarted kubelet re-adopts running pods, restarts dead ones, removes deleted ones', async () => {
    const web = await h.getPod('web');
    const client = await h.getPod('client');
    const webBefore = record(web).containers[0]!.running!;
    const clientBefore = record(client).containers[0]!.running!;
    const talker = await h.getPod('talker');
    const talkerRecord = record(talker);
    await h.restartKubelet(async () => {
      process.kill(-clientBefore.pid, 'SIGKILL'); // the client's container dies meanwhile
      await h.api.deleteNamespacedPod({ name: 'talker', namespace: 'default' });
    });

    const again = await h.waitPod('web', ready, 'Ready');
    assert.equal(containerStatus(again)?.containerID, `local://${webBefore.id}`);
    assert.equal(containerStatus(again)?.restartCount, 0);
    assert.equal(record(again).containers[0]!.running!.pid, webBefore.pid);

    const restarted = await h.waitPod(
      'client',
      (p) => containerStatus(p)?.restartCount === 1 && ready(p),
      'one restart',
    );
    assert.equal(containerStatus(restarted)?.lastState?.terminated?.exitCode, 137);
    const page = await exec(restarted, ['curl', '-s', `http://${again.status!.podIP}/`]);
    assert.match(page.stdout, /Welcome to nginx!/);

    const gone = `${h.net.prefix}-pod-${talker.metadata.uid!.replace(/-/g, '').slice(0, 8)}`;
    await waitUntil(async () => !(await h.podNamespaces()).includes(gone), 'talker netns removed');
    const dels = (await cniCalls(h.cni)).filter(
      (c) => c.command === 'DEL' && c.containerId === talkerRecord.sandboxId,
    );
    assert.deepEqual(
      dels.map((c) => c.type),
      ['fake-veth'],
    );
  });

  it('a kubelet that starts while the API server is down keeps its pods, then syncs', async () => {
    const namespaces = await h.podNamespaces();
    const web = await h.getPod('web');
    const port = h.server.port;
    const kubelet = h.newKubelet();
    await h.kubelet.stop();
    await h.server.stop();
    const started = kubelet.start();
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await h.podNamespaces(), namespaces);
    await h.startApiServer(port);
    await started;
    h.kubelet = kubelet;
    const again = await h.waitPod('web', ready, 'Ready');
    assert.equal(containerStatus(again)?.containerID, containerStatus(web)?.containerID);
    assert.deepEqual(await h.podNamespaces(), namespaces);
  });

  it('deleting pods stops their processes, calls CNI DEL and removes their netns', async () => {
    const pods = (await h.api.listNamespacedPod({ namespace: 'default' })).items as Pod[];
    assert.ok(pods.length >= 8);
    const records = pods.map((p) => record(p));
    const pids = records
      .flatMap((r) => [...r.initContainers, ...r.containers])
      .flatMap((c) => (c.running ? [c.running.pid] : []));
    for (const p of pods)
      await h.api.deleteNamespacedPod({ name: p.metadata.name!, namespace: 'default' });
    await waitUntil(async () => (await h.podNamespaces()).length === 0, 'every pod netns removed');
    await waitUntil(
      async () => readdirSync(join(h.dir, 'kubelet', 'pods')).length === 0,
      'records removed',
    );
    for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid}`);
    const dels = new Set(
      (await cniCalls(h.cni)).filter((c) => c.command === 'DEL').map((c) => c.containerId),
    );
    for (const r of records.filter((x) => !x.hostNetwork)) assert.ok(dels.has(r.sandboxId), r.name);
    assert.deepEqual(
      readdirSync(h.cni.dataDir).filter((d) => d.startsWith('ip-')),
      [],
    );
    assert.equal(existsSync(h.kubelet.socketPath), true);
    await run('ip', ['-n', h.nodeNetns, 'link', 'show', 'br0']); // the node's own netns is untouched
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(
  ok: () => Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
