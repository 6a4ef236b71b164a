// Defaulting of the built-in kinds (k8s.io/api's SetDefaults_*): the fields a real cluster
// fills in, so that `get -o yaml`, `describe` and the printers see what they expect (a Service
// TYPE, container port protocols, a NetworkPolicy's policyTypes…). Applied to every created or
// updated object before validation; idempotent.
import { arr, at, isObject, obj, type JsonObject } from './json.js';
import type { ResourceDef } from './resources.js';

function setDefault(o: JsonObject, key: string, value: unknown): void {
  if (o[key] === undefined) o[key] = value;
}

function objects(v: unknown): JsonObject[] {
  return arr(v).filter(isObject);
}

function defaultPorts(ports: unknown): void {
  for (const p of objects(ports)) setDefault(p, 'protocol', 'TCP');
}

function pullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  const name = image.split('@')[0]!;
  const tag =
    name.lastIndexOf(':') > name.lastIndexOf('/') ? name.slice(name.lastIndexOf(':') + 1) : '';
  return image.includes('@')
    ? 'IfNotPresent'
    : tag === '' || tag === 'latest'
      ? 'Always'
      : 'IfNotPresent';
}

function defaultPodSpec(spec: JsonObject): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'enableServiceLinks', true);
  for (const c of [...objects(spec.containers), ...objects(spec.initContainers)]) {
    setDefault(c, 'imagePullPolicy', pullPolicy(c.image));
    setDefault(c, 'terminationMessagePath', '/dev/termination-log');
    setDefault(c, 'terminationMessagePolicy', 'File');
    setDefault(c, 'resources', {});
    defaultPorts(c.ports);
  }
}

function defaultTemplate(o: JsonObject): void {
  const pod = at(o, 'spec', 'template', 'spec');
  if (isObject(pod)) defaultPodSpec(pod);
}

function ensureSpec(o: JsonObject): JsonObject {
  if (!isObject(o.spec)) o.spec = {};
  return o.spec as JsonObject;
}

const byKind: Readonly<Record<string, (o: JsonObject) => void>> = {
  'v1/Namespace': (o) => {
    const status = isObject(o.status) ? o.status : (o.status = {});
    setDefault(status, 'phase', 'Active');
  },
  'v1/Pod': (o) => {
    defaultPodSpec(ensureSpec(o));
    const status = isObject(o.status) ? o.status : (o.status = {});
    setDefault(status, 'phase', 'Pending');
    setDefault(status, 'qosClass', 'BestEffort');
  },
  'v1/Service': (o) => {
    const spec = ensureSpec(o);
    setDefault(spec, 'type', 'ClusterIP');
    setDefault(spec, 'sessionAffinity', 'None');
    if (spec.type !== 'ExternalName') {
      setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
      setDefault(spec, 'ipFamilies', ['IPv4']);
      setDefault(spec, 'internalTrafficPolicy', 'Cluster');
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      setDefault(spec, 'externalTrafficPolicy', 'Cluster');
    }
    if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
    for (const p of objects(spec.ports)) {
      setDefault(p, 'protocol', 'TCP');
      setDefault(p, 'targetPort', p.port);
    }
    setDefault(o, 'status', { loadBalancer: {} });
  },
  'v1/Endpoints': (o) => {
    for (const s of objects(o.subsets)) defaultPorts(s.ports);
  },
  'apps/v1/Deployment': (o) => {
    const spec = ensureSpec(o);
    setDefault(spec, 'replicas', 1);
    setDefault(spec, 'strategy', { type: 'RollingUpdate' });
    const strategy = obj(spec.strategy);
    if (strategy.type === 'RollingUpdate') {
      setDefault(strategy, 'rollingUpdate', { maxUnavailable: '25%', maxSurge: '25%' });
    }
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'progressDeadlineSeconds', 600);
    defaultTemplate(o);
  },
  'apps/v1/ReplicaSet': (o) => {
    setDefault(ensureSpec(o), 'replicas', 1);
    defaultTemplate(o);
  },
  'apps/v1/StatefulSet': (o) => {
    const spec = ensureSpec(o);
    setDefault(spec, 'replicas', 1);
    setDefault(spec, 'podManagementPolicy', 'OrderedReady');
    setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'persistentVolumeClaimRetentionPolicy', {
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
    defaultTemplate(o);
  },
  'networking.k8s.io/v1/NetworkPolicy': (o) => {
    const spec = ensureSpec(o);
    if (spec.policyTypes === undefined) {
      spec.policyTypes = arr(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
    }
    for (const r of [...objects(spec.ingress), ...objects(spec.egress)]) defaultPorts(r.ports);
  },
};

/** Fills defaults into `o` (a private copy the caller owns). */
export function applyDefaults(def: ResourceDef, o: JsonObject): void {
  const key = `${def.group ? `${def.group}/` : ''}${def.version}/${def.kind}`;
  byKind[key]?.(o);
}
