// exec and logs through the PodRuntime: the real kubectl over WebSocket (v5.channel.k8s.io),
// with ProcessRuntime running commands on the host or in a pod's network namespace.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ProcessRuntime } from '../../../src/kube/apiserver/processRuntime.js';
import { TestNet } from '../../helpers/netns.js';
import { Harness, until } from './harness.js';

const PODS = `
apiVersion: v1
kind: Pod
metadata: {name: host-pod, namespace: default}
spec:
  containers: [{name: main, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: ns-pod, namespace: default, annotations: {test/netns: "NETNS"}}
spec:
  containers: [{name: main, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: multi, namespace: default}
spec:
  initContainers: [{name: install-cni, image: busybox}]
  containers: [{name: antrea-agent, image: antrea}, {name: antrea-ovs, image: antrea}]
`;

describe('exec and logs', () => {
  let h: Harness;
  const net = new TestNet('exec');
  let netns: string;

  before(async () => {
    netns = await net.netns('pod');
    h = await Harness.start();
    h.server.setPodRuntime(
      new ProcessRuntime({
        netns: (pod) => pod.metadata.annotations?.['test/netns'],
        logFile: (pod, container) => join(h.dir, `${pod.metadata.name}_${container}.log`),
      }),
    );
    const r = await h.kubectl([
      'apply',
      '-f',
      h.manifest('pods.yaml', PODS.replace('NETNS', netns)),
    ]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await h.stop();
    await net.cleanup();
  });

  test('kubectl exec returns the command exit code and both output streams', async () => {
    const r = await h.kubectl([
      'exec',
      'host-pod',
      '--',
      'sh',
      '-c',
      'echo out; echo err >&2; exit 3',
    ]);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /^err\n/);
    assert.match(r.stderr, /command terminated with exit code 3/);
    const ok = await h.kubectl(['exec', 'host-pod', '--', 'true']);
    assert.equal(ok.code, 0);
  });

  test('kubectl exec -i echoes stdin and ends when stdin closes', async () => {
    const input = 'hello\nworld\n'.repeat(1000);
    const r = await h.kubectl(['exec', '-i', 'host-pod', '--', 'cat'], input);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, input);
  });

  test('a pod with a network namespace runs its commands there', async () => {
    const r = await h.kubectl(['exec', 'ns-pod', '--', 'ip', '-o', 'link', 'show']);
    assert.equal(r.code, 0, r.stderr);
    const links = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(':')[1]!.trim());
    assert.deepEqual(links, ['lo']);
  });

  test('kubectl exec -it gets a terminal of the client size', async () => {
    const cmd = `stty rows 33 cols 111; kubectl exec -it host-pod -- sh -c 'tty; stty size; exit 4'`;
    const child = spawn('script', ['-qec', cmd, '/dev/null'], {
      env: h.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 4);
    assert.match(out, /\/dev\/pts\/\d+\r?\n/);
    assert.match(out, /33 111/);
  });

  test('logs: a multi-container pod needs a container name', async () => {
    const r = await h.http('GET', '/api/v1/namespaces/default/pods/multi/log');
    assert.equal(r.status, 400);
    assert.equal(
      r.json().message,
      'a container name must be specified for pod multi, choose one of: [antrea-agent antrea-ovs] or one of the init containers: [install-cni]',
    );
    const bad = await h.http('GET', '/api/v1/namespaces/default/pods/multi/log?container=nope');
    assert.equal(bad.json().message, 'container nope is not valid for pod multi');
  });

  test('kubectl logs --tail and -f', async () => {
    const file = join(h.dir, 'multi_antrea-agent.log');
    writeFileSync(file, 'one\ntwo\nthree\n');
    const tail = await h.kubectl(['logs', 'multi', '-c', 'antrea-agent', '--tail=2']);
    assert.equal(tail.stdout, 'two\nthree\n');
    const child = spawn('kubectl', ['logs', '-f', 'multi', '-c', 'antrea-agent'], { env: h.env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await until('the existing lines', () => out === 'one\ntwo\nthree\n');
      appendFileSync(file, 'four\n');
      await until('the appended line', () => out.endsWith('four\n'));
    } finally {
      child.kill();
    }
  });
});
