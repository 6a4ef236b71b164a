// ClusterIP and NodePort allocation for Services, done where kube-apiserver does it: when the
// Service is written (an admission plugin of the embedded API server), so the create
// response and every watcher already see the address. Allocation is synchronous with the
// write, so two creates can never take the same address. State is the stored Services
// themselves: nothing to repair after a restart.
//
//   let server: ApiServer | undefined;
//   const alloc = serviceAllocationPlugin({ serviceCIDR: '10.96.0.0/12' },
//     () => server?.registry.storage.list('services') ?? []);
//   server = await ApiServer.start({ dataDir, admission: [alloc] });
//
// (Services created by the server's bootstrap, before `server` is set, carry fixed addresses.)
import type { Service, ServicePort } from '../../apis/core.js';
import type { KubeObject } from '../../apis/meta.js';
import { invalid, type FieldError } from '../../apis/validation/errors.js';
import { invalidError, type AdmissionPlugin } from '../apiserver/admission.js';
import { arr, isObject, type JsonObject } from '../apiserver/json.js';
import { Ipv4Range } from './ipv4Range.js';

export interface ServiceAllocationOptions {
  /** Where ClusterIPs come from, e.g. 10.96.0.0/12. */
  readonly serviceCIDR: string;
  /** Inclusive; kube's default is 30000-32767. */
  readonly nodePortRange?: readonly [number, number];
}

const DEFAULT_NODE_PORT_RANGE: readonly [number, number] = [30000, 32767];

const HEADLESS = 'None';

function usesNodePorts(spec: JsonObject): boolean {
  return (
    spec.type === 'NodePort' ||
    (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false)
  );
}

function hasClusterIP(svc: Service | undefined): svc is Service & { spec: { clusterIP: string } } {
  return !!svc?.spec?.clusterIP && svc.spec.type !== 'ExternalName';
}

/**
 * Like kube, dynamic allocations start above a band at the bottom of the range (1/16 of it,
 * 16 to 256 addresses; none in ranges under 16) that stays free for addresses chosen by hand,
 * e.g. kube-dns's 10.96.0.10. Returns the first offset for dynamic allocation.
 */
function staticBand(size: number): number {
  return size < 16 ? 1 : Math.min(Math.max(16, Math.floor(size / 16)), 256);
}

class ServiceAllocator {
  private readonly range: Ipv4Range;
  private readonly portMin: number;
  private readonly portMax: number;

  constructor(opts: ServiceAllocationOptions) {
    this.range = new Ipv4Range(opts.serviceCIDR);
    [this.portMin, this.portMax] = opts.nodePortRange ?? DEFAULT_NODE_PORT_RANGE;
  }

  clusterIP(
    spec: JsonObject,
    old: Service | undefined,
    others: readonly Service[],
    errs: FieldError[],
  ): void {
    if (spec.type === 'ExternalName') return;
    const requested =
      typeof spec.clusterIP === 'string' && spec.clusterIP !== '' ? spec.clusterIP : undefined;
    if (hasClusterIP(old)) {
      // Immutable once set; an update that leaves it out keeps it (kube's patchAllocatedValues).
      if (requested !== undefined && requested !== old.spec.clusterIP) {
        errs.push(invalid('spec.clusterIP', requested, 'field is immutable'));
      }
      spec.clusterIP = old.spec.clusterIP;
      spec.clusterIPs = [old.spec.clusterIP];
      return;
    }
    if (requested === HEADLESS) {
      spec.clusterIPs = [HEADLESS];
      return;
    }
    const taken = new Set(
      others.map((s) => s.spec?.clusterIP).filter((ip) => ip && ip !== HEADLESS),
    );
    const ip = requested === undefined ? this.nextFreeIP(taken) : requested;
    if (ip === undefined) {
      errs.push(
        invalid(
          'spec.clusterIPs',
          '',
          `failed to allocate a serviceIP: range is full (${this.range.cidr})`,
        ),
      );
      return;
    }
    if (requested !== undefined) {
      const offset = this.range.offsetOf(ip);
      if (offset === undefined || offset === 0 || offset === this.range.size - 1) {
        errs.push(
          invalid(
            'spec.clusterIPs[0]',
            ip,
            `provided IP is not in the valid range. The range of valid IPs is ${this.range.cidr}`,
          ),
        );
        return;
      }
      if (taken.has(ip)) {
        errs.push(invalid('spec.clusterIPs[0]', ip, 'provided IP is already allocated'));
        return;
      }
    }
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }

  private nextFreeIP(taken: ReadonlySet<string | undefined>): string | undefined {
    const band = staticBand(this.range.size);
    // Skip the network and broadcast addresses; the static band last. Addresses ending in .0
    // or .255 are valid in a /12 but read like network addresses, so they come last too.
    const candidates = [
      [band, this.range.size - 1],
      [1, band],
    ] as const;
    let odd: string | undefined;
    for (const [from, to] of candidates) {
      for (let offset = from; offset < to; offset++) {
        const ip = this.range.at(offset);
        if (taken.has(ip)) continue;
        if (!/\.(0|255)$/.test(ip)) return ip;
        odd ??= ip;
      }
    }
    return odd;
  }

  nodePorts(
    spec: JsonObject,
    old: Service | undefined,
    others: readonly Service[],
    errs: FieldError[],
  ): void {
    const ports = arr(spec.ports).filter(isObject);
    const oldPorts =
      old?.spec?.type === 'NodePort' || old?.spec?.type === 'LoadBalancer'
        ? (old.spec.ports ?? [])
        : [];
    if (!usesNodePorts(spec)) {
      // Kube releases the node ports of a Service that stops being NodePort/LoadBalancer.
      if (oldPorts.length > 0 && (spec.type === 'ClusterIP' || spec.type === 'ExternalName')) {
        for (const p of ports) delete p.nodePort;
      }
      return;
    }
    const taken = new Set<number>();
    for (const s of others)
      for (const p of s.spec?.ports ?? []) if (p.nodePort) taken.add(p.nodePort);
    const samePort = (a: ServicePort, b: JsonObject): boolean =>
      a.port === b.port && (a.protocol ?? 'TCP') === (b.protocol ?? 'TCP');
    ports.forEach((p, i) => {
      const requested = typeof p.nodePort === 'number' && p.nodePort > 0 ? p.nodePort : undefined;
      const kept = oldPorts.find((o) => samePort(o, p))?.nodePort;
      if (requested !== undefined) {
        if (requested !== kept)
          this.checkNodePort(requested, taken, `spec.ports[${i}].nodePort`, errs);
        return;
      }
      // Same port number under another protocol (DNS's 53/TCP and 53/UDP) shares one node port.
      const sibling = ports.find(
        (q) => q !== p && q.port === p.port && typeof q.nodePort === 'number',
      );
      const port =
        kept ?? (sibling?.nodePort as number | undefined) ?? this.nextFreePort(taken, ports);
      if (port === undefined) {
        errs.push(
          invalid(`spec.ports[${i}].nodePort`, 0, 'failed to allocate a nodePort: range is full'),
        );
      } else p.nodePort = port;
    });
  }

  private checkNodePort(
    port: number,
    taken: ReadonlySet<number>,
    field: string,
    errs: FieldError[],
  ): void {
    if (port < this.portMin || port > this.portMax) {
      errs.push(
        invalid(
          field,
          port,
          `provided port is not in the valid range. The range of valid ports is ${this.portMin}-${this.portMax}`,
        ),
      );
    } else if (taken.has(port))
      errs.push(invalid(field, port, 'provided port is already allocated'));
  }

  private nextFreePort(taken: ReadonlySet<number>, own: readonly JsonObject[]): number | undefined {
    for (let port = this.portMin; port <= this.portMax; port++) {
      if (!taken.has(port) && !own.some((p) => p.nodePort === port)) return port;
    }
    return undefined;
  }
}

/**
 * The admission plugin: fills spec.clusterIP(s) and the ports' nodePort on create, keeps them
 * on update, and refuses (422, like kube) an address or port that is taken or out of range.
 * `services` lists the stored Services (the one being written may be among them).
 */
export function serviceAllocationPlugin(
  opts: ServiceAllocationOptions,
  services: () => Iterable<KubeObject>,
): AdmissionPlugin {
  const allocator = new ServiceAllocator(opts);
  return {
    name: 'ServiceAllocation',
    mutate(req) {
      if (req.def.group !== '' || req.def.kind !== 'Service' || req.subresource !== undefined)
        return;
      if (!isObject(req.object.spec)) req.object.spec = {};
      const spec = req.object.spec as JsonObject;
      const meta = isObject(req.object.metadata) ? req.object.metadata : {};
      const others = [...services()].filter(
        (s) => s.metadata.namespace !== meta.namespace || s.metadata.name !== meta.name,
      ) as Service[];
      const old = req.oldObject as Service | undefined;
      const errs: FieldError[] = [];
      allocator.clusterIP(spec, old, others, errs);
      allocator.nodePorts(spec, old, others, errs);
      if (errs.length > 0) throw invalidError(req.def, String(meta.name ?? ''), errs);
    },
  };
}
