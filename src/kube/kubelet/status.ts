// A pod's status as the kubelet reports it, computed from its record alone (a pure function):
// phase as kubelet's getPhase decides it, the conditions kubectl and `kubectl wait` read, and
// container statuses in spec order with state/lastState as kube shows them (running, waiting
// with the reason, terminated with the exit code).
import type { Container, ContainerStatus, Pod, PodCondition } from '../../apis/core.js';
import type { ContainerRecord, PodRecord, Termination } from './record.js';

type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';
type State = Readonly<Record<string, unknown>>;
/** core.ts's ContainerStatus with the fields only the kubelet writes. */
type KubeletContainerStatus = ContainerStatus & {
  readonly lastState: State;
  readonly imageID: string;
};

export interface StatusInput {
  readonly pod: Pod;
  readonly record: PodRecord;
  readonly hostIP: string | undefined;
  /**
   * The conditions last computed for this pod, whose transition times carry over; the pod's
   * own when none were (the watch may lag behind the kubelet's writes, and times taken from a
   * stale copy would flip back and forth).
   */
  readonly previousConditions: readonly PodCondition[] | undefined;
  /** Why the sandbox is not up yet (the last CNI error), if it is not. */
  readonly sandboxError: string | undefined;
  ready(init: boolean, name: string): boolean;
  /** RFC 3339, seconds. */
  readonly now: string;
}

export type PodStatus = NonNullable<Pod['status']> & Readonly<Record<string, unknown>>;

function terminatedState(t: Termination): State {
  return { terminated: { ...t } };
}

function containerStatus(
  spec: Container,
  r: ContainerRecord | undefined,
  ready: boolean,
  pending: { readonly reason: string; readonly message?: string },
): KubeletContainerStatus {
  let state: State;
  let lastState: State = {};
  if (r?.running) {
    state = { running: { startedAt: r.running.startedAt } };
    if (r.last) lastState = terminatedState(r.last);
  } else if (r?.waiting) {
    state = { waiting: { ...r.waiting } };
    if (r.last) lastState = terminatedState(r.last);
  } else if (r?.last) {
    state = terminatedState(r.last);
    if (r.prior) lastState = terminatedState(r.prior);
  } else {
    state = { waiting: { ...pending } };
  }
  const id = r?.running?.id;
  return {
    name: spec.name,
    image: spec.image ?? '',
    imageID: '',
    ...(id ? { containerID: `local://${id}` } : {}),
    ready: r?.running !== undefined && ready,
    started: r?.running !== undefined,
    restartCount: r?.restartCount ?? 0,
    state,
    lastState,
  };
}

const isRunning = (s: KubeletContainerStatus): boolean => s.state?.['running'] !== undefined;
const terminatedOf = (s: KubeletContainerStatus): Termination | undefined =>
  s.state?.['terminated'] as Termination | undefined;

/** kubelet's getPhase over the regular containers' statuses. */
function phaseOf(statuses: readonly KubeletContainerStatus[], restartPolicy: string): Phase {
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    const t = terminatedOf(s);
    if (isRunning(s)) running++;
    else if (t) {
      stopped++;
      if (t.exitCode === 0) succeeded++;
    } else if (s.lastState['terminated'] !== undefined) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === 0) return 'Pending';
  if (restartPolicy === 'Always') return 'Running';
  if (stopped === succeeded) return 'Succeeded';
  return restartPolicy === 'Never' ? 'Failed' : 'Running';
}

function condition(
  previous: readonly PodCondition[],
  type: string,
  ok: boolean,
  now: string,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? 'True' : 'False';
  const before = previous.find((c) => c.type === type);
  return {
    type,
    status,
    lastTransitionTime: before?.status === status ? (before.lastTransitionTime ?? now) : now,
    ...(!ok && reason ? { reason } : {}),
    ...(!ok && message ? { message } : {}),
  };
}

export function podStatus(input: StatusInput): PodStatus {
  const { pod, record, now } = input;
  const spec = pod.spec!;
  const restartPolicy = spec.restartPolicy ?? 'Always';
  const sandboxReady = record.ips !== undefined;
  const initSpecs = spec.initContainers ?? [];
  const byName = (list: readonly ContainerRecord[], name: string): ContainerRecord | undefined =>
    list.find((c) => c.name === name);

  const initRecords = initSpecs.map((c) => byName(record.initContainers, c.name));
  const initialized = initRecords.every((r) => r?.done === true && r.last?.exitCode === 0);
  const initFailed = initRecords.some((r) => r?.done === true && r.last?.exitCode !== 0);
  const creating = {
    reason: 'ContainerCreating',
    ...(input.sandboxError ? { message: input.sandboxError } : {}),
  };
  const pending = sandboxReady && !initialized ? { reason: 'PodInitializing' } : creating;

  const initStatuses = initSpecs.map((c, i) =>
    containerStatus(c, initRecords[i], input.ready(true, c.name), creating),
  );
  const statuses = spec.containers.map((c) =>
    containerStatus(c, byName(record.containers, c.name), input.ready(false, c.name), pending),
  );

  const phase: Phase = initFailed
    ? 'Failed'
    : !initialized
      ? 'Pending'
      : phaseOf(statuses, restartPolicy);
  const done = phase === 'Succeeded' || phase === 'Failed';
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  const incomplete = initSpecs
    .filter((_, i) => !(initRecords[i]?.done && initRecords[i]?.last?.exitCode === 0))
    .map((c) => c.name);
  const previous = input.previousConditions ?? pod.status?.conditions ?? [];
  const notReady = done ? 'PodCompleted' : 'ContainersNotReady';
  const unreadyMessage = `containers with unready status: [${unready.join(' ')}]`;
  const conditions: PodCondition[] = [
    condition(previous, 'PodReadyToStartContainers', sandboxReady, now),
    condition(
      previous,
      'Initialized',
      initialized,
      now,
      'ContainersNotInitialized',
      `containers with incomplete status: [${incomplete.join(' ')}]`,
    ),
    condition(previous, 'Ready', unready.length === 0, now, notReady, unreadyMessage),
    condition(previous, 'ContainersReady', unready.length === 0, now, notReady, unreadyMessage),
    previous.find((c) => c.type === 'PodScheduled') ?? condition([], 'PodScheduled', true, now),
  ];

  const { podIP: _ip, podIPs: _ips, ...kept } = (pod.status ?? {}) as PodStatus;
  const ips = record.ips ?? [];
  return {
    ...kept,
    phase,
    conditions,
    ...(input.hostIP ? { hostIP: input.hostIP, hostIPs: [{ ip: input.hostIP }] } : {}),
    ...(ips.length > 0 ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
    ...(record.startTime ? { startTime: record.startTime } : {}),
    ...(initSpecs.length > 0 ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
  };
}
