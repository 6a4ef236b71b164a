// kubectl get pods: kube-apiserver's printPod (pkg/printers/internalversion), so READY, STATUS
// and RESTARTS read exactly as on a real cluster.
import type { KubeObject } from '../../../apis/meta.js';
import { arr, at, num, obj, str, type JsonObject } from '../json.js';
import { since } from './duration.js';
import { NAME_COLUMN, col, type TablePrinter } from './printer.js';

function isRestartableInit(c: unknown): boolean {
  return str(at(c, 'restartPolicy')) === 'Always';
}

function terminatedReason(t: JsonObject, prefix: string): string {
  const reason = str(t.reason);
  if (reason !== '') return prefix + reason;
  const signal = num(t.signal);
  return signal !== 0 ? `${prefix}Signal:${signal}` : `${prefix}ExitCode:${num(t.exitCode)}`;
}

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  lastRestart: string;
}

function summarize(pod: KubeObject): PodSummary {
  const spec = obj(at(pod, 'spec'));
  const status = obj(at(pod, 'status'));
  const conditions = arr(status.conditions);
  const phase = str(status.phase);
  const initSpecs = arr(spec.initContainers);
  let reason = str(status.reason) || phase;
  const total = arr(spec.containers).length + initSpecs.filter(isRestartableInit).length;
  let ready = 0;
  let restarts = 0;
  let lastRestart = '';
  const noteRestart = (cs: unknown): void => {
    restarts += num(at(cs, 'restartCount'));
    const finished = str(at(cs, 'lastState', 'terminated', 'finishedAt'));
    if (finished > lastRestart) lastRestart = finished;
  };
  for (const c of conditions) {
    if (str(at(c, 'type')) === 'PodScheduled' && str(at(c, 'reason')) === 'SchedulingGated') {
      reason = 'SchedulingGated';
    }
  }

  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    noteRestart(cs);
    const specOf = initSpecs.find((c) => str(at(c, 'name')) === str(at(cs, 'name')));
    const terminated = at(cs, 'state', 'terminated');
    const waitingReason = str(at(cs, 'state', 'waiting', 'reason'));
    if (terminated !== undefined && num(at(terminated, 'exitCode')) === 0) continue;
    if (isRestartableInit(specOf) && at(cs, 'started') === true) {
      if (at(cs, 'ready') === true) ready++;
      continue;
    }
    if (terminated !== undefined) reason = terminatedReason(obj(terminated), 'Init:');
    else if (waitingReason !== '' && waitingReason !== 'PodInitializing')
      reason = `Init:${waitingReason}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }

  const initialized = conditions.some(
    (c) => str(at(c, 'type')) === 'Initialized' && str(at(c, 'status')) === 'True',
  );
  if (!initializing || initialized) {
    // Restarts of regular init containers no longer count once the pod is initialized.
    restarts = 0;
    lastRestart = '';
    for (const cs of initStatuses) {
      const specOf = initSpecs.find((c) => str(at(c, 'name')) === str(at(cs, 'name')));
      if (isRestartableInit(specOf)) noteRestart(cs);
    }
    let hasRunning = false;
    const statuses = arr(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      noteRestart(cs);
      const waitingReason = str(at(cs, 'state', 'waiting', 'reason'));
      const terminated = at(cs, 'state', 'terminated');
      if (waitingReason !== '') reason = waitingReason;
      else if (terminated !== undefined) reason = terminatedReason(obj(terminated), '');
      else if (at(cs, 'ready') === true && at(cs, 'state', 'running') !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = conditions.some(
        (c) => str(at(c, 'type')) === 'Ready' && str(at(c, 'status')) === 'True',
      );
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  const deleting = at(pod, 'metadata', 'deletionTimestamp') !== undefined;
  if (deleting && str(status.reason) === 'NodeLost') reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  return { ready, total, reason, restarts, lastRestart };
}

function readinessGates(pod: KubeObject): string {
  const gates = arr(at(pod, 'spec', 'readinessGates'));
  if (gates.length === 0) return '<none>';
  const conditions = arr(at(pod, 'status', 'conditions'));
  const trueCount = gates.filter((g) =>
    conditions.some(
      (c) => str(at(c, 'type')) === str(at(g, 'conditionType')) && str(at(c, 'status')) === 'True',
    ),
  ).length;
  return `${trueCount}/${gates.length}`;
}

export const podPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', {
      description: 'The aggregate readiness state of this pod for accepting traffic.',
    }),
    col('Status', 'string', { description: 'The aggregate status of the containers in this pod.' }),
    col('Restarts', 'string', {
      description:
        'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    }),
    col('Age', 'string', {
      description:
        'CreationTimestamp is a timestamp representing the server time when this object was created.',
    }),
    col('IP', 'string', { priority: 1, description: 'podIP address allocated to the pod.' }),
    col('Node', 'string', {
      priority: 1,
      description: 'NodeName indicates in which node this pod is scheduled.',
    }),
    col('Nominated Node', 'string', {
      priority: 1,
      description: 'nominatedNodeName is set when this pod preempts other pods on the node.',
    }),
    col('Readiness Gates', 'string', {
      priority: 1,
      description: 'If specified, all readiness gates will be evaluated for pod readiness.',
    }),
  ],
  cells(pod, now) {
    const s = summarize(pod);
    const restarts =
      s.restarts !== 0 && s.lastRestart !== ''
        ? `${s.restarts} (${since(s.lastRestart, now)} ago)`
        : String(s.restarts);
    const ip = str(at(pod, 'status', 'podIPs', 0, 'ip')) || str(at(pod, 'status', 'podIP'));
    return [
      pod.metadata.name,
      `${s.ready}/${s.total}`,
      s.reason,
      restarts,
      since(pod.metadata.creationTimestamp, now),
      ip || '<none>',
      str(at(pod, 'spec', 'nodeName')) || '<none>',
      str(at(pod, 'status', 'nominatedNodeName')) || '<none>',
      readinessGates(pod),
    ];
  },
};
