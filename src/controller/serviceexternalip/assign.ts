// Which LoadBalancer IP each Service should show, computed from all Services at once (the
// assignments live in the Services' status, nothing else): a LoadBalancer Service keeps a pool
// address it already has unless an older Service holds it too; one without gets the lowest
// free address; any other Service holding a pool address gives it back. Addresses outside the
// pool were set by someone else and are left alone.
import type { Service } from '../../apis/core.js';
import { IPPool } from './pool.js';

export interface Assignment {
  readonly service: Service;
  /** The address it should show; undefined: none (a pool address it had is cleared). */
  readonly ip: string | undefined;
}

const keyOf = (s: Service): string => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`;

export function currentIP(s: Service): string | undefined {
  return s.status?.loadBalancer?.ingress?.[0]?.ip;
}

/** Oldest first (then by name), so conflicts resolve the same way on every run. */
function byAge(a: Service, b: Service): number {
  const [ta, tb] = [a.metadata.creationTimestamp ?? '', b.metadata.creationTimestamp ?? ''];
  if (ta !== tb) return ta < tb ? -1 : 1;
  return keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
}

/** The Services whose status must change, with the address each should show. */
export function assignments(services: readonly Service[], cidr: string): Assignment[] {
  const pool = new IPPool(cidr);
  const changes: Assignment[] = [];
  const needing: Service[] = [];
  for (const s of [...services].sort(byAge)) {
    const ip = currentIP(s);
    const wants = s.spec?.type === 'LoadBalancer';
    if (ip !== undefined && !pool.contains(ip)) continue;
    if (!wants) {
      if (ip !== undefined) changes.push({ service: s, ip: undefined });
    } else if (ip === undefined || !pool.reserve(ip)) {
      needing.push(s);
    }
  }
  for (const s of needing) {
    const ip = pool.allocate();
    if (ip !== currentIP(s)) changes.push({ service: s, ip });
  }
  return changes;
}
