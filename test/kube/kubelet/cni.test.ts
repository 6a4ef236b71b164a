// CniRunner against the fake plugins: the conflist choice, env, config injection, prevResult
// chaining, DEL in reverse with the cached result, and the plugin's error object.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CniRunner } from '../../../src/kube/kubelet/cni.js';
import { resultIPs } from '../../../src/kube/kubelet/sandbox.js';
import { TestNet } from '../../helpers/netns.js';
import { cniCalls, installFakeCni, type FakeCni } from './fakecni.js';
import { run } from '../../../src/util/exec.js';

describe('CNI runner', () => {
  const net = new TestNet('kcni');
  let dir = '';
  let cni: FakeCni;
  let nodeNs = '';
  let podNs = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubelet-cni-'));
    nodeNs = await net.netns('node');
    podNs = await net.netns('pod');
    await run('ip', ['-n', nodeNs, 'link', 'add', 'br0', 'type', 'bridge']);
    cni = await installFakeCni({
      dir,
      bridgeNetns: nodeNs,
      bridge: 'br0',
      subnet: '10.214.0',
      chained: true,
    });
  });
  after(async () => {
    await net.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const attachment = {
    containerId: 'ab'.repeat(32),
    netns: '',
    pod: { namespace: 'ns1', name: 'p1', uid: 'uid-1' },
  };

  it('ADD runs the first conflist chained; DEL runs it in reverse with the ADD result', async () => {
    const runner = new CniRunner(cni.confDir, `/nonexistent:${cni.binDir}`);
    const a = { ...attachment, netns: podNs };
    const result = await runner.add(a);
    assert.deepEqual(resultIPs(result), ['10.214.0.2']);
    const addr = await run('ip', ['-n', podNs, '-o', '-4', 'addr', 'show', 'eth0']);
    assert.match(addr, /10\.214\.0\.2\/24/);

    await runner.del(a, result);
    const calls = await cniCalls(cni);
    assert.deepEqual(
      calls.map((c) => `${c.command} ${c.type}`),
      ['ADD fake-veth', 'ADD fake-chain', 'DEL fake-chain', 'DEL fake-veth'],
    );
    const [add, chained, del] = calls;
    assert.equal(add!.netns, `/var/run/netns/${podNs}`);
    assert.equal(add!.ifName, 'eth0');
    assert.equal(add!.path, `/nonexistent:${cni.binDir}`);
    assert.equal(
      add!.args,
      `IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=p1;K8S_POD_INFRA_CONTAINER_ID=${a.containerId};K8S_POD_UID=uid-1`,
    );
    assert.equal(add!.conf['name'], 'fake-net');
    assert.equal(add!.conf['cniVersion'], '1.0.0');
    assert.equal(add!.conf['prevResult'], undefined);
    assert.deepEqual(chained!.conf['prevResult'], result);
    assert.deepEqual(del!.conf['prevResult'], result);
    await assert.rejects(
      run('ip', ['-n', nodeNs, 'link', 'show', `v${a.containerId.slice(0, 10)}`]),
    );
  });

  it("reports the plugin's error object; a missing plugin or conflist is named", async () => {
    await writeFile(join(cni.dataDir, 'fail-add'), '');
    const runner = new CniRunner(cni.confDir, cni.binDir);
    await assert.rejects(
      runner.add({ ...attachment, netns: podNs }),
      /CNI ADD of plugin fake-veth: told to fail/,
    );
    await rm(join(cni.dataDir, 'fail-add'));
    await assert.rejects(
      new CniRunner(cni.confDir, dir).add({ ...attachment, netns: podNs }),
      /failed to find plugin "fake-veth"/,
    );
    await assert.rejects(
      new CniRunner(dir, cni.binDir).add({ ...attachment, netns: podNs }),
      /no \*\.conflist/,
    );
  });
});
