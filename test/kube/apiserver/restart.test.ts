// Durability: the API server as a child process is SIGKILLed and started again on the same
// data directory and port. Nothing written before the kill is lost, and an informer of
// @kubernetes/client-node resumes its watch from its resourceVersion (no relist).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { runKubectl, until } from './harness.js';

const MAIN = fileURLToPath(new URL('../../../src/kube/apiserver/main.js', import.meta.url));

async function startServer(
  dir: string,
  port: number,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      MAIN,
      '--data-dir',
      join(dir, 'data'),
      '--port',
      String(port),
      '--kubeconfig',
      join(dir, 'kubeconfig'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface(child.stdout!);
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => {
      if (l.startsWith('listening ')) resolve(l.slice('listening '.length));
    });
    child.once('exit', (code) => reject(new Error(`apiserver exited with ${code}`)));
  });
  return { child, port: Number(new URL(url).port) };
}

function pod(name: string): V1Pod {
  return {
    metadata: { name, labels: { app: 'restart' } },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  };
}

test('SIGKILL and restart lose nothing; a client-node informer resumes its watch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apiserver-restart-'));
  const env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), HOME: dir };
  let server = await startServer(dir, 0);
  const kc = new KubeConfig();
  kc.loadFromFile(join(dir, 'kubeconfig'));
  const api = kc.makeApiClient(CoreV1Api);
  let lists = 0;
  const informer = makeInformer<V1Pod>(kc, '/api/v1/namespaces/default/pods', () => {
    lists++;
    return api.listNamespacedPod({ namespace: 'default' });
  });
  const seen = new Set<string>();
  informer.on('add', (p) => seen.add(p.metadata?.name ?? ''));
  let stopped = false;
  informer.on('error', () => {
    if (!stopped) setTimeout(() => void informer.start(), 200);
  });
  try {
    await informer.start();
    const p1 = await api.createNamespacedPod({ namespace: 'default', body: pod('p1') });
    await until('the informer to see p1', () => seen.has('p1'));

    const p2 = await api.createNamespacedPod({ namespace: 'default', body: pod('p2') });
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));
    server = await startServer(dir, server.port);

    const r = await runKubectl(['run', 'p3', '--image=busybox', '--restart=Never'], env);
    assert.equal(r.code, 0, r.stderr);
    await until('the informer to see p2 and p3', () => seen.has('p2') && seen.has('p3'), 10_000);
    assert.equal(lists, 1, 'the informer resumed its watch without listing again');

    const after = await api.listNamespacedPod({ namespace: 'default' });
    const uids = new Map(after.items.map((p) => [p.metadata?.name, p.metadata?.uid]));
    assert.equal(uids.get('p1'), p1.metadata?.uid);
    assert.equal(uids.get('p2'), p2.metadata?.uid);
    const tiers = await runKubectl(['get', 'tiers', '-o', 'name'], env);
    assert.equal(tiers.stdout.trim().split('\n').length, 6);
  } finally {
    stopped = true;
    await informer.stop();
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});
