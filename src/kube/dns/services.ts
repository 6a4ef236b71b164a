// The cluster's A records from Services and Endpoints, as CoreDNS's kubernetes plugin serves
// them: `<svc>.<ns>.svc.<zone>` → the ClusterIP, or for a headless Service (clusterIP None) the
// ready endpoint addresses; a headless Service's endpoint that has a hostname (a StatefulSet pod
// with `subdomain`) also gets `<hostname>.<svc>.<ns>.svc.<zone>`. ExternalName Services get no
// A record (CoreDNS answers them with a CNAME, which this server does not serve). Every change
// to a Service or its Endpoints emits the names of that Service whose records changed.
import type { Endpoints, Service } from '../../apis/core.js';
import type { KubeObject } from '../../apis/meta.js';
import type { RecordChange } from './records.js';

const HEADLESS = 'None';

const keyOf = (o: KubeObject): string =>
  `${o.metadata.namespace ?? 'default'}/${o.metadata.name ?? ''}`;

function sameIPs(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((ip, i) => ip === b[i]);
}

export class ServiceRecords {
  private readonly services = new Map<string, Service>();
  private readonly endpoints = new Map<string, Endpoints>();
  /** Per Service key, the records last emitted for it. */
  private readonly emitted = new Map<string, ReadonlyMap<string, readonly string[]>>();

  constructor(
    private readonly zone: string,
    private readonly emit: (change: RecordChange) => void,
  ) {}

  upsertService(svc: Service): void {
    this.services.set(keyOf(svc), svc);
    this.sync(keyOf(svc));
  }

  deleteService(svc: Service): void {
    this.services.delete(keyOf(svc));
    this.sync(keyOf(svc));
  }

  upsertEndpoints(ep: Endpoints): void {
    this.endpoints.set(keyOf(ep), ep);
    this.sync(keyOf(ep));
  }

  deleteEndpoints(ep: Endpoints): void {
    this.endpoints.delete(keyOf(ep));
    this.sync(keyOf(ep));
  }

  /** Emits the difference between what the Service's names had and what they have now. */
  private sync(key: string): void {
    const before = this.emitted.get(key) ?? new Map<string, readonly string[]>();
    const after = this.recordsOf(key);
    for (const name of before.keys()) if (!after.has(name)) this.emit({ name, ips: [] });
    for (const [name, ips] of after) {
      const old = before.get(name);
      if (old === undefined || !sameIPs(old, ips)) this.emit({ name, ips });
    }
    if (after.size === 0) this.emitted.delete(key);
    else this.emitted.set(key, after);
  }

  private recordsOf(key: string): Map<string, readonly string[]> {
    const records = new Map<string, readonly string[]>();
    const svc = this.services.get(key);
    const clusterIP = svc?.spec?.clusterIP;
    if (svc === undefined || svc.spec?.type === 'ExternalName' || !clusterIP) return records;
    const [namespace, name] = key.split('/') as [string, string];
    const serviceName = `${name}.${namespace}.svc.${this.zone}`;
    if (clusterIP !== HEADLESS) {
      records.set(serviceName, [clusterIP]);
      return records;
    }
    const addresses = (this.endpoints.get(key)?.subsets ?? []).flatMap((s) => s.addresses ?? []);
    const ips = [...new Set(addresses.map((a) => a.ip))].sort();
    if (ips.length > 0) records.set(serviceName, ips);
    for (const a of addresses) {
      if (a.hostname === undefined) continue;
      const host = `${a.hostname}.${serviceName}`;
      records.set(host, [...new Set([...(records.get(host) ?? []), a.ip])].sort());
    }
    return records;
  }
}
