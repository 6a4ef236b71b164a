// kube-apiserver's table printers for the built-in kinds other than Pod (pods.ts): the same
// columns, cell formats and `<none>` placeholders as pkg/printers/internalversion.
import type { KubeObject, LabelSelector } from '../../../apis/meta.js';
import { arr, at, num, obj, str, strMap } from '../json.js';
import { formatLabelMap, labelSelectorString } from '../selectors.js';
import { since } from './duration.js';
import { NAME_COLUMN, col, type TablePrinter } from './printer.js';

const AGE = col('Age', 'string', {
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created.',
});
const age = (o: KubeObject, now: number): string => since(o.metadata.creationTimestamp, now);

/** Wide CONTAINERS and IMAGES cells of a workload's pod template. */
function containerCells(o: KubeObject): [string, string] {
  const containers = arr(at(o, 'spec', 'template', 'spec', 'containers'));
  return [
    containers.map((c) => str(at(c, 'name'))).join(','),
    containers.map((c) => str(at(c, 'image'))).join(','),
  ];
}

function selectorCell(o: KubeObject): string {
  return labelSelectorString(at(o, 'spec', 'selector') as LabelSelector | undefined);
}

export const namespacePrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', { description: 'The status of the namespace' }),
    AGE,
  ],
  cells: (o, now) => [o.metadata.name, str(at(o, 'status', 'phase')), age(o, now)],
};

function nodeRoles(o: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role !== '') roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function nodeAddress(o: KubeObject, type: string): string {
  const a = arr(at(o, 'status', 'addresses')).find((x) => str(at(x, 'type')) === type);
  return a === undefined ? '<none>' : str(at(a, 'address'));
}

export const nodePrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', { description: 'The status of the node' }),
    col('Roles', 'string', { description: 'The roles of the node' }),
    AGE,
    col('Version', 'string', { description: 'Kubelet Version reported by the node.' }),
    col('Internal-IP', 'string', {
      priority: 1,
      description: 'List of addresses reachable to the node.',
    }),
    col('External-IP', 'string', {
      priority: 1,
      description: 'List of addresses reachable to the node.',
    }),
    col('OS-Image', 'string', {
      priority: 1,
      description: 'OS Image reported by the node from /etc/os-release.',
    }),
    col('Kernel-Version', 'string', {
      priority: 1,
      description: "Kernel Version reported by the node from 'uname -r'.",
    }),
    col('Container-Runtime', 'string', {
      priority: 1,
      description: 'ContainerRuntime Version reported by the node through runtime remote API.',
    }),
  ],
  cells(o, now) {
    const ready = arr(at(o, 'status', 'conditions')).find((c) => str(at(c, 'type')) === 'Ready');
    const status = [
      ready === undefined ? 'Unknown' : str(at(ready, 'status')) === 'True' ? 'Ready' : 'NotReady',
    ];
    if (at(o, 'spec', 'unschedulable') === true) status.push('SchedulingDisabled');
    const info = obj(at(o, 'status', 'nodeInfo'));
    return [
      o.metadata.name,
      status.join(','),
      nodeRoles(o),
      age(o, now),
      str(info.kubeletVersion),
      nodeAddress(o, 'InternalIP'),
      nodeAddress(o, 'ExternalIP'),
      str(info.osImage) || '<unknown>',
      str(info.kernelVersion) || '<unknown>',
      str(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
};

function serviceExternalIP(o: KubeObject): string {
  const externalIPs = arr(at(o, 'spec', 'externalIPs')).map((x) => str(x));
  switch (str(at(o, 'spec', 'type'))) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = arr(at(o, 'status', 'loadBalancer', 'ingress'))
        .map((i) => str(at(i, 'ip')) || str(at(i, 'hostname')))
        .filter((x) => x !== '');
      const all = [...lb, ...externalIPs];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(at(o, 'spec', 'externalName'));
    default:
      return '<unknown>';
  }
}

function servicePorts(o: KubeObject): string {
  const ports = arr(at(o, 'spec', 'ports')).map((p) => {
    const nodePort = num(at(p, 'nodePort'));
    const proto = str(at(p, 'protocol'));
    return nodePort > 0
      ? `${num(at(p, 'port'))}:${nodePort}/${proto}`
      : `${num(at(p, 'port'))}/${proto}`;
  });
  return ports.length === 0 ? '<none>' : ports.join(',');
}

export const servicePrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    col('Type', 'string', { description: 'type determines how the Service is exposed.' }),
    col('Cluster-IP', 'string', { description: 'clusterIP is the IP address of the service.' }),
    col('External-IP', 'string', {
      description:
        'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
    }),
    col('Port(s)', 'string', {
      description: 'The list of ports that are exposed by this service.',
    }),
    AGE,
    col('Selector', 'string', {
      priority: 1,
      description:
        'Route service traffic to pods with label keys and values matching this selector.',
    }),
  ],
  cells: (o, now) => [
    o.metadata.name,
    str(at(o, 'spec', 'type')),
    str(at(o, 'spec', 'clusterIPs', 0)) || str(at(o, 'spec', 'clusterIP')) || '<none>',
    serviceExternalIP(o),
    servicePorts(o),
    age(o, now),
    formatLabelMap(strMap(at(o, 'spec', 'selector'))),
  ],
};

/** formatEndpoints: at most three `ip:port`, then ` + N more...`. */
function endpointsCell(o: KubeObject): string {
  const subsets = arr(at(o, 'subsets'));
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addrs = arr(at(ss, 'addresses')).map((a) => str(at(a, 'ip')));
    const ports = arr(at(ss, 'ports'));
    const targets =
      ports.length === 0
        ? addrs
        : ports.flatMap((p) =>
            addrs.map((ip) => (ip.includes(':') ? `[${ip}]` : ip) + `:${num(at(p, 'port'))}`),
          );
    count += targets.length;
    for (const t of targets) if (list.length < max) list.push(t);
  }
  const ret = list.join(',');
  return count > max ? `${ret} + ${count - max} more...` : ret;
}

export const endpointsPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    col('Endpoints', 'string', { description: 'Endpoints of the service' }),
    AGE,
  ],
  cells: (o, now) => [o.metadata.name, endpointsCell(o), age(o, now)],
};

const WIDE_CONTAINERS = col('Containers', 'string', {
  priority: 1,
  description: 'Names of each container in the template.',
});
const WIDE_IMAGES = col('Images', 'string', {
  priority: 1,
  description: 'Images referenced by each container in the template.',
});
const WIDE_SELECTOR = col('Selector', 'string', {
  priority: 1,
  description: 'Label selector for pods.',
});

const replicas = (o: KubeObject, field: string): number => num(at(o, 'status', field));

export const deploymentPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', { description: 'Number of the pod with ready state' }),
    col('Up-to-date', 'string', {
      description:
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    }),
    col('Available', 'string', {
      description:
        'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    }),
    AGE,
    WIDE_CONTAINERS,
    WIDE_IMAGES,
    WIDE_SELECTOR,
  ],
  cells: (o, now) => [
    o.metadata.name,
    `${replicas(o, 'readyReplicas')}/${num(at(o, 'spec', 'replicas'))}`,
    replicas(o, 'updatedReplicas'),
    replicas(o, 'availableReplicas'),
    age(o, now),
    ...containerCells(o),
    selectorCell(o),
  ],
};

export const replicaSetPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', { description: 'Number of desired pods.' }),
    col('Current', 'integer', { description: 'Number of actual pods.' }),
    col('Ready', 'integer', {
      description: 'The number of ready pods targeted by this ReplicaSet.',
    }),
    AGE,
    WIDE_CONTAINERS,
    WIDE_IMAGES,
    WIDE_SELECTOR,
  ],
  cells: (o, now) => [
    o.metadata.name,
    num(at(o, 'spec', 'replicas')),
    replicas(o, 'replicas'),
    replicas(o, 'readyReplicas'),
    age(o, now),
    ...containerCells(o),
    selectorCell(o),
  ],
};

export const statefulSetPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', { description: 'Number of the pod with ready state' }),
    AGE,
    WIDE_CONTAINERS,
    WIDE_IMAGES,
  ],
  cells: (o, now) => [
    o.metadata.name,
    `${replicas(o, 'readyReplicas')}/${num(at(o, 'spec', 'replicas'))}`,
    age(o, now),
    ...containerCells(o),
  ],
};

export const networkPolicyPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    col('Pod-Selector', 'string', {
      description: 'Selects the pods to which this NetworkPolicy object applies.',
    }),
    AGE,
  ],
  cells: (o, now) => [
    o.metadata.name,
    labelSelectorString(at(o, 'spec', 'podSelector') as LabelSelector | undefined) || '<none>',
    age(o, now),
  ],
};

function eventTime(o: KubeObject, field: 'first' | 'last', now: number): string {
  const ts =
    field === 'first'
      ? str(at(o, 'firstTimestamp')) || str(at(o, 'eventTime'))
      : str(at(o, 'series', 'lastObservedTime')) ||
        str(at(o, 'lastTimestamp')) ||
        str(at(o, 'eventTime')) ||
        str(at(o, 'firstTimestamp'));
  return since(ts, now);
}

export const eventPrinter: TablePrinter = {
  columns: [
    col('Last Seen', 'string', {
      description: 'The time at which the most recent occurrence of this event was recorded.',
    }),
    col('Type', 'string', {
      description: 'Type of this event (Normal, Warning), new types could be added in the future.',
    }),
    col('Reason', 'string', {
      description:
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    }),
    col('Object', 'string', { description: 'The object that this event is about.' }),
    col('Subobject', 'string', {
      priority: 1,
      description: 'The field path of the object this event is about.',
    }),
    col('Source', 'string', { priority: 1, description: 'The component reporting this event.' }),
    col('Message', 'string', {
      description: 'A human-readable description of the status of this operation.',
    }),
    col('First Seen', 'string', {
      priority: 1,
      description: 'The time at which the event was first recorded.',
    }),
    col('Count', 'string', {
      priority: 1,
      description: 'The number of times this event has occurred.',
    }),
    col('Name', 'string', {
      priority: 1,
      format: 'name',
      description: 'Name must be unique within a namespace.',
    }),
  ],
  cells(o, now) {
    const involved = obj(at(o, 'involvedObject'));
    const source = str(at(o, 'source', 'component')) || str(at(o, 'reportingComponent'));
    const host = str(at(o, 'source', 'host'));
    return [
      eventTime(o, 'last', now),
      str(at(o, 'type')),
      str(at(o, 'reason')),
      `${str(involved.kind).toLowerCase()}/${str(involved.name)}`,
      str(involved.fieldPath),
      host !== '' ? `${source}, ${host}` : source,
      str(at(o, 'message')).trim(),
      eventTime(o, 'first', now),
      String(num(at(o, 'count'), 1)),
      o.metadata.name,
    ];
  },
};
