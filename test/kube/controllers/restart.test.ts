// The controllers outlive an API server restart: their informers reconnect (relisting when
// the server no longer has their version) and work written meanwhile gets done.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ApiServer } from '../../../src/kube/apiserver/server.js';
import { startKubeControllers } from '../../../src/kube/controllers/index.js';
import { CLUSTER_CIDR, until } from './cluster.js';

test('after the API server restarts, a new Deployment still gets scheduled pods', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'controllers-restart-'));
  const dataDir = join(dir, 'data');
  let server = await ApiServer.start({ dataDir });
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  const logs: string[] = [];
  const controllers = await startKubeControllers(kc, {
    clusterCIDR: CLUSTER_CIDR,
    log: (m) => logs.push(m),
  });
  try {
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    await core.createNode({
      body: {
        metadata: { name: 'node1' },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      },
    });
    await until('podCIDR', async () => !!(await core.readNode({ name: 'node1' })).spec?.podCIDR);

    const port = server.port;
    await server.stop();
    server = await ApiServer.start({ dataDir, port });

    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'nginx' }] },
          },
        },
      },
    });
    await until(
      '2 pods on node1',
      async () => {
        const pods = (await core.listNamespacedPod({ namespace: 'default' })).items;
        return pods.length === 2 && pods.every((p) => p.spec?.nodeName === 'node1');
      },
      15_000,
    );
    assert.ok(
      logs.some((l) => /restarting/.test(l)),
      'the informers saw the server go',
    );
  } finally {
    await controllers.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
