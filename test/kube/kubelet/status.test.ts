import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../../src/apis/core.js';
import type { ContainerRecord, PodRecord, Termination } from '../../../src/kube/kubelet/record.js';
import { podStatus, type StatusInput } from '../../../src/kube/kubelet/status.js';

const NOW = '2024-05-01T10:00:00Z';

function pod(restartPolicy: 'Always' | 'OnFailure' | 'Never', init = false): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: {
      nodeName: 'n1',
      restartPolicy,
      containers: [{ name: 'a', image: 'nginx' }],
      ...(init ? { initContainers: [{ name: 'i', image: 'busybox' }] } : {}),
    },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: 'T0' }],
      qosClass: 'BestEffort',
    } as Pod['status'],
  };
}

const term = (exitCode: number): Termination => ({
  exitCode,
  reason: exitCode === 0 ? 'Completed' : 'Error',
  startedAt: 'T1',
  finishedAt: 'T2',
});

function record(
  containers: ContainerRecord[],
  init: ContainerRecord[] = [],
  ips?: string[],
): PodRecord {
  return {
    uid: 'u1',
    namespace: 'default',
    name: 'p',
    netns: 'ns',
    hostNetwork: false,
    sandboxId: 'x',
    startTime: 'T0',
    initContainers: init,
    containers,
    ...(ips ? { ips } : {}),
  };
}

const running = (restartCount = 0, last?: Termination): ContainerRecord => ({
  name: 'a',
  restartCount,
  done: false,
  running: { id: 'c1', pid: 1, pidStart: '1', startedAt: 'T3' },
  ...(last ? { last } : {}),
});

function input(p: Pod, r: PodRecord, ready = true): StatusInput {
  return {
    pod: p,
    record: r,
    previousConditions: undefined,
    hostIP: '10.0.0.1',
    sandboxError: undefined,
    ready: () => ready,
    now: NOW,
  };
}

const cond = (s: ReturnType<typeof podStatus>, type: string) =>
  s.conditions?.find((c) => c.type === type);

describe('pod status', () => {
  it('before the sandbox: Pending, ContainerCreating, no podIP', () => {
    const s = podStatus({ ...input(pod('Always'), record([])), sandboxError: 'CNI failed' });
    assert.equal(s.phase, 'Pending');
    assert.equal(s.podIP, undefined);
    assert.equal(s.hostIP, '10.0.0.1');
    assert.deepEqual(s.containerStatuses?.[0]?.state, {
      waiting: { reason: 'ContainerCreating', message: 'CNI failed' },
    });
    assert.equal(cond(s, 'PodReadyToStartContainers')?.status, 'False');
    assert.equal(cond(s, 'Ready')?.status, 'False');
  });

  it('running and ready: Running, all conditions True, other status fields kept', () => {
    const s = podStatus(input(pod('Always'), record([running()], [], ['10.1.0.5'])));
    assert.equal(s.phase, 'Running');
    assert.equal(s.podIP, '10.1.0.5');
    assert.deepEqual(s.podIPs, [{ ip: '10.1.0.5' }]);
    assert.equal(s.startTime, 'T0');
    assert.equal(s['qosClass'], 'BestEffort');
    for (const t of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']) {
      assert.equal(cond(s, t)?.status, 'True', t);
    }
    assert.deepEqual(cond(s, 'PodScheduled'), {
      type: 'PodScheduled',
      status: 'True',
      lastTransitionTime: 'T0',
    });
    const c = s.containerStatuses![0]!;
    assert.equal(c.ready, true);
    assert.deepEqual(c.state, { running: { startedAt: 'T3' } });
    assert.equal((c as { containerID?: string }).containerID, 'local://c1');
  });

  it('running but not listening yet: not Ready', () => {
    const s = podStatus(input(pod('Always'), record([running()], [], ['10.1.0.5']), false));
    assert.equal(s.phase, 'Running');
    assert.equal(cond(s, 'Ready')?.status, 'False');
    assert.equal(cond(s, 'Ready')?.message, 'containers with unready status: [a]');
  });

  it('restarted: restartCount and lastState', () => {
    const s = podStatus(input(pod('Always'), record([running(2, term(1))], [], ['10.1.0.5'])));
    const c = s.containerStatuses![0]!;
    assert.equal(c.restartCount, 2);
    assert.equal(
      (c as { lastState?: { terminated?: Termination } }).lastState?.terminated?.exitCode,
      1,
    );
  });

  it('in back-off: waiting CrashLoopBackOff; Always stays Running', () => {
    const r = record(
      [
        {
          name: 'a',
          restartCount: 1,
          done: false,
          last: term(1),
          waiting: { reason: 'CrashLoopBackOff' },
        },
      ],
      [],
      ['10.1.0.5'],
    );
    const s = podStatus(input(pod('Always'), r));
    assert.equal(s.phase, 'Running');
    assert.deepEqual(s.containerStatuses![0]!.state, { waiting: { reason: 'CrashLoopBackOff' } });
  });

  it('finished: Never + failure is Failed, success is Succeeded', () => {
    const done = (code: number): PodRecord =>
      record([{ name: 'a', restartCount: 0, done: true, last: term(code) }], [], ['10.1.0.5']);
    const failed = podStatus(input(pod('Never'), done(3)));
    assert.equal(failed.phase, 'Failed');
    assert.equal(
      (failed.containerStatuses![0]!.state as { terminated: Termination }).terminated.exitCode,
      3,
    );
    assert.equal(cond(failed, 'Ready')?.reason, 'PodCompleted');
    assert.equal(podStatus(input(pod('OnFailure'), done(0))).phase, 'Succeeded');
    assert.equal(podStatus(input(pod('Never'), done(0))).phase, 'Succeeded');
  });

  it('init containers: Pending until they succeed, Failed when one fails for good', () => {
    const p = pod('Never', true);
    const initRunning = record([], [{ ...running(), name: 'i' }], ['10.1.0.5']);
    const s = podStatus(input(p, initRunning));
    assert.equal(s.phase, 'Pending');
    assert.equal(cond(s, 'Initialized')?.status, 'False');
    assert.equal(cond(s, 'Initialized')?.message, 'containers with incomplete status: [i]');
    assert.deepEqual(s.containerStatuses![0]!.state, { waiting: { reason: 'PodInitializing' } });

    const initDone = record(
      [running()],
      [{ name: 'i', restartCount: 0, done: true, last: term(0) }],
      ['10.1.0.5'],
    );
    const ok = podStatus(input(p, initDone));
    assert.equal(ok.phase, 'Running');
    assert.equal(cond(ok, 'Initialized')?.status, 'True');
    assert.equal(
      (ok.initContainerStatuses![0]!.state as { terminated: Termination }).terminated.reason,
      'Completed',
    );

    const initFailed = record(
      [],
      [{ name: 'i', restartCount: 0, done: true, last: term(2) }],
      ['10.1.0.5'],
    );
    assert.equal(podStatus(input(p, initFailed)).phase, 'Failed');
  });

  it('keeps lastTransitionTime while a condition does not change', () => {
    const p = pod('Always');
    const r = record([running()], [], ['10.1.0.5']);
    const first = podStatus(input(p, r));
    const later = { ...input(p, r), now: '2024-05-01T11:00:00Z' };
    // From the pod's status when nothing was computed before (a restarted kubelet)…
    assert.equal(
      cond(podStatus({ ...later, pod: { ...p, status: first } }), 'Ready')?.lastTransitionTime,
      NOW,
    );
    // …and from the last computed conditions otherwise, whatever the (stale) pod says.
    const fromLast = podStatus({ ...later, previousConditions: first.conditions });
    assert.equal(cond(fromLast, 'Ready')?.lastTransitionTime, NOW);
    assert.equal(cond(fromLast, 'PodScheduled')?.lastTransitionTime, 'T0');
  });
});
