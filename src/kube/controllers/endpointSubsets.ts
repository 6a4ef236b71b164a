// The Endpoints of a Service, as kube's endpoints controller computes them: every pod that
// the selector picks and that has an IP, once per service port whose targetPort it serves
// (a named targetPort is looked up in the pod's container ports, so pods may differ), ready
// pods under addresses and the others under notReadyAddresses; then packed into subsets of
// addresses that share the same ports, in a stable order.
import type {
  EndpointAddress,
  EndpointSubset,
  Pod,
  Service,
  ServicePort,
} from '../../apis/core.js';
import type { Protocol } from '../../apis/meta.js';
import { isPodReady, isTerminating } from './objects.js';

type EndpointPort = NonNullable<EndpointSubset['ports']>[number];

/** The pod's port for a service port, or undefined when a named targetPort is not declared. */
function resolveTargetPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    const p = c.ports?.find((cp) => cp.name === target && (cp.protocol ?? 'TCP') === protocol);
    if (p) return p.containerPort;
  }
  return undefined;
}

function address(pod: Pod, svc: Service): EndpointAddress {
  const hostname =
    pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name ? pod.spec.hostname : undefined;
  return {
    ip: pod.status?.podIP ?? '',
    ...(hostname ? { hostname } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata.namespace ?? '',
      name: pod.metadata.name ?? '',
      uid: pod.metadata.uid ?? '',
    },
  };
}

function selects(svc: Service, pod: Pod): boolean {
  const labels = pod.metadata.labels ?? {};
  return Object.entries(svc.spec?.selector ?? {}).every(([k, v]) => labels[k] === v);
}

const byIP = (a: EndpointAddress, b: EndpointAddress): number =>
  a.ip.localeCompare(b.ip, 'en', { numeric: true }) ||
  (a.targetRef?.name ?? '').localeCompare(b.targetRef?.name ?? '');

/** The subsets for `svc` given the pods of its namespace (kube's syncService + RepackSubsets). */
export function endpointSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  // One entry per distinct endpoint port: the addresses serving it, ready and not.
  const byPort = new Map<
    string,
    { port?: EndpointPort; ready: EndpointAddress[]; notReady: EndpointAddress[] }
  >();
  const add = (port: EndpointPort | undefined, addr: EndpointAddress, ready: boolean): void => {
    const key = port ? `${port.name ?? ''}|${port.port}|${port.protocol ?? 'TCP'}` : '';
    const entry = byPort.get(key) ?? { ...(port ? { port } : {}), ready: [], notReady: [] };
    (ready ? entry.ready : entry.notReady).push(addr);
    byPort.set(key, entry);
  };
  for (const pod of pods) {
    if (!selects(svc, pod) || !pod.status?.podIP) continue;
    if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') continue;
    if (isTerminating(pod) && !publishNotReady) continue;
    const addr = address(pod, svc);
    const ready = publishNotReady || isPodReady(pod);
    const ports = svc.spec?.ports ?? [];
    // A headless Service without ports still lists its pods.
    if (ports.length === 0) add(undefined, addr, ready);
    for (const sp of ports) {
      const port = resolveTargetPort(pod, sp);
      if (port === undefined) continue;
      const protocol: Protocol = sp.protocol ?? 'TCP';
      add({ ...(sp.name ? { name: sp.name } : {}), port, protocol }, addr, ready);
    }
  }
  // Ports served by exactly the same addresses share a subset.
  const subsets = new Map<
    string,
    { ready: EndpointAddress[]; notReady: EndpointAddress[]; ports: EndpointPort[] }
  >();
  for (const { port, ready, notReady } of byPort.values()) {
    ready.sort(byIP);
    notReady.sort(byIP);
    const key = `${ready.map((a) => a.targetRef?.uid).join(',')}|${notReady.map((a) => a.targetRef?.uid).join(',')}`;
    const subset = subsets.get(key) ?? { ready, notReady, ports: [] };
    if (port) subset.ports.push(port);
    subsets.set(key, subset);
  }
  return [...subsets.values()]
    .map(({ ready, notReady, ports }) => ({
      ...(ready.length > 0 ? { addresses: ready } : {}),
      ...(notReady.length > 0 ? { notReadyAddresses: notReady } : {}),
      ...(ports.length > 0
        ? {
            ports: ports.sort(
              (a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port,
            ),
          }
        : {}),
    }))
    .sort((a, b) =>
      byIP((a.addresses ?? a.notReadyAddresses)![0]!, (b.addresses ?? b.notReadyAddresses)![0]!),
    );
}
