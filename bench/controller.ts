// The controller's full computation at the sizes of Antrea's networkpolicy_controller_perf_test.go
// (pods spread over 1,000 nodes), and one pod label change at the largest size.
import type { KubeObject } from '../src/apis/index.js';
import { NetworkPolicyController } from '../src/controller/networkpolicy/controller.js';
import { median, peakRssMb, report } from './report.js';

const NODES = 1000;
let podSeq = 0;

function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { app: name } } };
}

function pod(ns: string, name: string, labels: Record<string, string>): KubeObject {
  const n = podSeq++;
  const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels, uid: `pod-${n}` },
    spec: { nodeName: `node-${n % NODES}`, containers: [{ name: 'c', image: 'nginx' }] },
    status: { podIP: ip, podIPs: [{ ip }] },
  } as KubeObject;
}

function k8sPolicy(
  ns: string,
  name: string,
  sel: Record<string, string> | undefined,
  from?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns, uid: `${ns}-${name}` },
    spec: {
      podSelector: sel ? { matchLabels: sel } : {},
      ...(from ? { ingress: [{ from: [{ podSelector: { matchLabels: from } }] }] } : {}),
      policyTypes: from ? ['Ingress'] : ['Ingress', 'Egress'],
    },
  } as KubeObject;
}

function acnp(
  ns: string,
  name: string,
  sel: Record<string, string> | undefined,
  from?: Record<string, string>,
): KubeObject {
  const scope = { namespaceSelector: { matchLabels: { app: ns } } };
  const applied = { ...scope, ...(sel ? { podSelector: { matchLabels: sel } } : {}) };
  return {
    apiVersion: 'crd.antrea.io/v1beta1',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: `${ns}-${name}`, uid: `acnp-${ns}-${name}` },
    spec: {
      priority: 1,
      appliedTo: [applied],
      ...(from
        ? {
            ingress: [
              { action: 'Allow', from: [{ ...scope, podSelector: { matchLabels: from } }] },
            ],
          }
        : { ingress: [{ action: 'Drop' }], egress: [{ action: 'Drop' }] }),
    },
  } as KubeObject;
}

type PolicyMaker = typeof k8sPolicy;

/** 25,000 namespaces × 4 pods, and per namespace a deny-all and two one-rule policies. */
function smallNamespaceObjects(policy: PolicyMaker): {
  namespaces: KubeObject[];
  pods: KubeObject[];
  policies: KubeObject[];
} {
  const namespaces: KubeObject[] = [];
  const pods: KubeObject[] = [];
  const policies: KubeObject[] = [];
  for (let i = 0; i < 25000; i++) {
    const ns = `ns-${i}`;
    namespaces.push(namespace(ns));
    pods.push(pod(ns, 'pod1', { 'app-1': 'scale-1' }), pod(ns, 'pod2', { 'app-1': 'scale-1' }));
    pods.push(pod(ns, 'pod3', { 'app-2': 'scale-2' }), pod(ns, 'pod4', { 'app-2': 'scale-2' }));
    policies.push(policy(ns, 'default-deny-all', undefined));
    policies.push(policy(ns, 'np-1', { 'app-1': 'scale-1' }, { 'app-1': 'scale-1' }));
    policies.push(policy(ns, 'np-2', { 'app-2': 'scale-2' }, { 'app-2': 'scale-2' }));
  }
  return { namespaces, pods, policies };
}

/** Applies everything, computes every span and materialises every object agents would get. */
function computeAll(
  name: string,
  objs: { namespaces: KubeObject[]; pods: KubeObject[]; policies: KubeObject[] },
): NetworkPolicyController {
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const c = new NetworkPolicyController();
  for (const o of objs.namespaces) c.apply(o);
  for (const o of objs.pods) c.apply(o);
  for (const o of objs.policies) c.apply(o);
  let spans = 0;
  for (const n of c.networkPolicyNames()) spans += c.spanOf('NetworkPolicy', n).size;
  for (const n of c.groupNames('AddressGroup')) spans += c.spanOf('AddressGroup', n).size;
  for (const n of c.groupNames('AppliedToGroup')) spans += c.spanOf('AppliedToGroup', n).size;
  const snap = c.snapshot();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  report(name, 'seconds', seconds);
  // CPU time is what the computation cost, also when other work shares the machine.
  report(name, 'cpu-seconds', (cpu.user + cpu.system) / 1e6);
  report(name, 'network-policies', snap.networkPolicies.length);
  report(name, 'address-groups', snap.addressGroups.length);
  report(name, 'applied-to-groups', snap.appliedToGroups.length);
  report(name, 'span-entries', spans);
  report(name, 'heap-growth-mb', (process.memoryUsage().heapUsed - heapBefore) / 1048576);
  report(name, 'peak-rss-mb', peakRssMb());
  return c;
}

export async function smallNamespaces(): Promise<void> {
  computeAll('controller-small-namespaces', smallNamespaceObjects(k8sPolicy));
}

export async function smallNamespacesAcnp(): Promise<void> {
  computeAll('controller-small-namespaces-acnp', smallNamespaceObjects(acnp));
}

/** 10,000 pods and 10,000 policies in one namespace, each selecting every pod. */
export async function oneNamespace(): Promise<void> {
  const ns = 'scale';
  const pods: KubeObject[] = [];
  const policies: KubeObject[] = [];
  for (let i = 0; i < 10000; i++) {
    pods.push(pod(ns, `pod-${i}`, { app: 'scale' }));
    policies.push(k8sPolicy(ns, `np-${i}`, { app: 'scale' }, { app: 'scale' }));
  }
  computeAll('controller-one-namespace', { namespaces: [namespace(ns)], pods, policies });
}

/** At size 1, one pod moving between the two selectors of its namespace, 2,000 times. */
export async function podLabelChange(): Promise<void> {
  const objs = smallNamespaceObjects(k8sPolicy);
  const c = new NetworkPolicyController();
  for (const list of [objs.namespaces, objs.pods, objs.policies]) for (const o of list) c.apply(o);
  const times: number[] = [];
  let events = 0;
  for (let i = 0; i < 2000; i++) {
    const ns = `ns-${(i * 7919) % 25000}`;
    const labels: Record<string, string> =
      i % 2 === 0 ? { 'app-2': 'scale-2' } : { 'app-1': 'scale-1' };
    const p = pod(ns, 'pod1', labels);
    const t0 = performance.now();
    events += c.apply(p).length;
    times.push(performance.now() - t0);
  }
  report('controller-pod-label-change', 'median-ms', median(times));
  report('controller-pod-label-change', 'events-per-change', events / times.length);
}
