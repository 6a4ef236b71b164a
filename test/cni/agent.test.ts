// The agent's flags, its local API server, and the per-container lock of the CNI server.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentApiServer, HttpError } from '../../src/agent/apiserver/server.js';
import { agentGet } from '../../src/agent/apiserver/client.js';
import { KeyedLock } from '../../src/agent/cniserver/keyedlock.js';
import { parseAgentFlags } from '../../src/agent/main.js';

const dir = mkdtempSync(join(tmpdir(), 'agenttest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('agent flags: required ones, Antrea defaults, checked choices', () => {
  const cfg = parseAgentFlags(
    ['--node-name', 'n1', '--pod-cidr', '10.1.0.0/24', '--ovs-run-dir', '/run/ovs'],
    {},
  );
  assert.deepEqual(cfg, {
    nodeName: 'n1',
    podCIDR: '10.1.0.0/24',
    ovsRunDir: '/run/ovs',
    cniSocket: '/var/run/antrea/cni.sock',
    apiSocket: '/var/run/antrea/agent.sock',
    stateDir: '/var/lib/antrea',
    tunnel: 'geneve',
    datapathType: 'netdev',
    antreaPolicy: true,
  });
  assert.equal(
    parseAgentFlags(['--pod-cidr', 'x', '--ovs-run-dir', 'y'], { NODE_NAME: 'from-env' }).nodeName,
    'from-env',
  );
  assert.throws(
    () => parseAgentFlags(['--pod-cidr', 'x', '--ovs-run-dir', 'y'], {}),
    /--node-name is required/,
  );
  assert.throws(
    () =>
      parseAgentFlags(
        ['--node-name', 'n', '--pod-cidr', 'x', '--ovs-run-dir', 'y', '--tunnel-type', 'vxlan'],
        {},
      ),
    /--tunnel-type vxlan: want geneve or none/,
  );
});

test('the API server answers its routes as JSON over a unix socket, and replaces a stale socket', async () => {
  const path = join(dir, 'api.sock');
  const first = new AgentApiServer();
  await first.listen(path);
  await assert.rejects(new AgentApiServer().listen(path), /another process is listening/);
  await first.close();
  const api = new AgentApiServer()
    .route('/things', (q) => [{ name: q.get('name') }])
    .route('/broken', () => {
      throw new HttpError(404, 'no such thing');
    });
  await api.listen(path);
  try {
    assert.equal(await agentGet(path, '/healthz'), 'ok');
    assert.deepEqual(await agentGet(path, '/things?name=x'), [{ name: 'x' }]);
    await assert.rejects(agentGet(path, '/broken'), /no such thing/);
    await assert.rejects(agentGet(path, '/nope'), /no route \/nope/);
  } finally {
    await api.close();
  }
  await assert.rejects(agentGet(path, '/healthz'), /not reachable/);
});

test('work on one key runs one at a time, on different keys concurrently', async () => {
  const lock = new KeyedLock();
  const log: string[] = [];
  const job = (key: string, id: string, ms: number) =>
    lock.run(key, async () => {
      log.push(`start ${id}`);
      await sleep(ms);
      log.push(`end ${id}`);
      if (id === 'a1') throw new Error('a1 fails');
    });
  const results = await Promise.allSettled([
    job('a', 'a1', 30),
    job('a', 'a2', 1),
    job('b', 'b1', 5),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'fulfilled', 'fulfilled'],
  );
  assert.deepEqual(log, ['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
});
