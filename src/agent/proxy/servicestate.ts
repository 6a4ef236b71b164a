// A Service and its Endpoints as AntreaProxy needs them: one entry per Service port with the
// addresses it answers on and its ready endpoints (kube-proxy's ServicePortMap and
// EndpointsMap, reduced). Pure functions of the API objects.
import type { Endpoints, Service } from '../../apis/core.js';
import type { ServiceProtocol } from '../openflow/servicetypes.js';

/** Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds. */
const DEFAULT_AFFINITY_TIMEOUT = 10800;

export interface EndpointState {
  readonly ip: string;
  readonly port: number;
  /** The node of the endpoint's pod, when the Endpoints say. */
  readonly nodeName?: string;
}

export interface ServicePortState {
  readonly namespace: string;
  readonly name: string;
  /** The Service port's name ('' for a single unnamed port). */
  readonly portName: string;
  readonly protocol: ServiceProtocol;
  readonly port: number;
  readonly clusterIPs: readonly string[];
  readonly nodePort?: number;
  /** status.loadBalancer.ingress IPs of a LoadBalancer Service. */
  readonly loadBalancerIPs: readonly string[];
  /** externalTrafficPolicy Local: NodePort and LoadBalancer traffic only to a node's own pods. */
  readonly externalLocal: boolean;
  readonly affinityTimeout?: number;
  /** Ready endpoints, sorted (so equal states compare equal). */
  readonly endpoints: readonly EndpointState[];
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function clusterIPs(svc: Service): string[] {
  const spec = svc.spec ?? {};
  const ips = spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []);
  // 'None' (headless) and IPv6 addresses are not served: the pipeline is IPv4.
  return ips.filter((ip) => IPV4.test(ip));
}

/** The ready endpoints that serve the Service port named `portName` over `protocol`. */
function endpointsOf(
  eps: Endpoints | undefined,
  portName: string,
  protocol: ServiceProtocol,
): EndpointState[] {
  const out: EndpointState[] = [];
  for (const subset of eps?.subsets ?? []) {
    const port = subset.ports?.find(
      (p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol,
    );
    if (port === undefined) continue;
    for (const a of subset.addresses ?? []) {
      if (!IPV4.test(a.ip)) continue;
      out.push({ ip: a.ip, port: port.port, ...(a.nodeName ? { nodeName: a.nodeName } : {}) });
    }
  }
  return out.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.port - b.port));
}

/** Every port of the Service that AntreaProxy serves (none for ExternalName or headless). */
export function servicePortStates(svc: Service, eps: Endpoints | undefined): ServicePortState[] {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const cips = clusterIPs(svc);
  if (cips.length === 0) return [];
  const namespace = svc.metadata.namespace ?? 'default';
  const name = svc.metadata.name ?? '';
  const affinity =
    spec.sessionAffinity === 'ClientIP'
      ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT)
      : undefined;
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  const lbIPs =
    spec.type === 'LoadBalancer'
      ? (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) =>
          i.ip !== undefined && IPV4.test(i.ip) ? [i.ip] : [],
        )
      : [];
  return (spec.ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP';
    const portName = p.name ?? '';
    return {
      namespace,
      name,
      portName,
      protocol,
      port: p.port,
      clusterIPs: cips,
      ...(external && p.nodePort ? { nodePort: p.nodePort } : {}),
      loadBalancerIPs: lbIPs,
      externalLocal: external && spec.externalTrafficPolicy === 'Local',
      ...(affinity === undefined ? {} : { affinityTimeout: affinity }),
      endpoints: endpointsOf(eps, portName, protocol),
    };
  });
}
