// A complete rule → the conjunctions that realize it on this node: the local applied-to pods'
// ofports, the peer addresses (with how many of the rule's groups/ipBlocks provide each, so a
// later group change can tell when an address really leaves the rule), and the services with
// named ports resolved. Named ports resolve per pod — for ingress from the applied-to pod, for
// egress from the destination member — so pods resolving to different ports get different
// conjunctions, as Antrea's reconciler groups members by their resolved services.
import type { GroupMember, ServiceMatch } from '../../apis/index.js';
import type { PolicyAddress, ServicePort } from '../openflow/policy.js';
import { ipBlockCIDRs, isIPv6 } from './ipblock.js';
import type { CachedRule, RuleCache } from './rulecache.js';
import type { InterfaceLookup } from './types.js';

export interface ConjSpec {
  /** The resolved services, as a key: one conjunction per distinct set. */
  readonly key: string;
  readonly services: readonly ServicePort[];
  /**
   * Peer side (sources of an ingress rule, destinations of an egress rule): address key → how
   * many of the rule's sources (groups, ipBlocks) hold it.
   */
  peer: Map<string, number>;
  /** The local applied-to pods' ofports. */
  readonly local: readonly PolicyAddress[];
}

const ANY: PolicyAddress = { kind: 'any' };

/** One key per OVS match: an address or CIDR, or `any` for 0.0.0.0/0 (OVS stores it as `ip`). */
export function peerKey(value: string): string {
  return value === '0.0.0.0/0' ? 'any' : value;
}

export function peerAddress(key: string): PolicyAddress {
  return key === 'any' ? ANY : { kind: 'ip', value: key };
}

/** Egress rules with named ports resolve them per destination member: group deltas need a full sync. */
export function hasNamedPeerPorts(rule: CachedRule): boolean {
  return rule.direction === 'Out' && rule.services.some((s) => typeof s.port === 'string');
}

/** The member's services with named ports resolved; undefined if none of them applies. */
function resolveServices(
  services: readonly ServiceMatch[],
  member: GroupMember | undefined,
): ServicePort[] | undefined {
  if (services.length === 0) return [];
  const out: ServicePort[] = [];
  for (const s of services) {
    if (typeof s.port === 'string') {
      const named = member?.ports?.find((p) => p.name === s.port && p.protocol === s.protocol);
      if (named !== undefined) out.push({ protocol: s.protocol, port: named.port });
    } else {
      out.push({
        protocol: s.protocol,
        ...(s.port === undefined ? {} : { port: s.port }),
        ...(s.endPort === undefined ? {} : { endPort: s.endPort }),
      });
    }
  }
  return out.length === 0 ? undefined : out;
}

function servicesKey(services: readonly ServicePort[]): string {
  return services.map((s) => `${s.protocol}:${s.port ?? '*'}-${s.endPort ?? ''}`).join(',');
}

function addPeer(peer: Map<string, number>, value: string): void {
  const key = peerKey(value);
  peer.set(key, (peer.get(key) ?? 0) + 1);
}

interface Draft {
  readonly services: readonly ServicePort[];
  peer: Map<string, number>;
  readonly local: Map<number, PolicyAddress>;
}

/** The conjunctions being assembled: one per distinct set of resolved services. */
class Drafts {
  private readonly byKey = new Map<string, Draft>();

  of(services: readonly ServicePort[]): Draft {
    const key = servicesKey(services);
    let d = this.byKey.get(key);
    if (d === undefined) {
      d = { services, peer: new Map(), local: new Map() };
      this.byKey.set(key, d);
    }
    return d;
  }

  all(): Draft[] {
    return [...this.byKey.values()];
  }

  /** Without a local applied-to pod a conjunction can never match: it gets no flows. */
  specs(): ConjSpec[] {
    return [...this.byKey]
      .filter(([, d]) => d.local.size > 0)
      .map(([key, d]) => ({
        key,
        services: d.services,
        peer: d.peer,
        local: [...d.local.values()],
      }));
  }
}

interface LocalPod {
  readonly ofport: number;
  readonly member: GroupMember;
}

/** The rule's peer addresses that need no per-member resolution: group IPs and ipBlock CIDRs. */
function peerValues(rule: CachedRule, cache: RuleCache, withGroups: boolean): string[] {
  const { addressGroups = [], ipBlocks = [] } = rule.peer;
  // No peer at all means every address, as an empty `from`/`to` does.
  if (addressGroups.length === 0 && ipBlocks.length === 0) return ['0.0.0.0/0'];
  const values = ipBlocks.flatMap((b) => ipBlockCIDRs(b.cidr, b.except));
  if (withGroups) for (const g of addressGroups) values.push(...(cache.addressGroup(g)?.ips ?? []));
  return values;
}

/** Ingress: the peers are common; the applied-to pods resolve named ports each. */
function compileIngress(rule: CachedRule, cache: RuleCache, local: readonly LocalPod[]): Drafts {
  const drafts = new Drafts();
  for (const { ofport, member } of local) {
    const services = resolveServices(rule.services, member);
    if (services !== undefined) drafts.of(services).local.set(ofport, { kind: 'ofport', ofport });
  }
  const peer = new Map<string, number>();
  for (const v of peerValues(rule, cache, true)) addPeer(peer, v);
  // Each conjunction counts its peers on its own (later deltas update each one).
  drafts.all().forEach((d, i) => (d.peer = i === 0 ? peer : new Map(peer)));
  return drafts;
}

/** Egress: the applied-to pods are common; destination members resolve named ports each. */
function compileEgress(rule: CachedRule, cache: RuleCache, local: readonly LocalPod[]): Drafts {
  const drafts = new Drafts();
  const add = (services: readonly ServicePort[] | undefined, values: Iterable<string>): void => {
    if (services === undefined) return;
    const d = drafts.of(services);
    for (const { ofport } of local) d.local.set(ofport, { kind: 'ofport', ofport });
    for (const v of values) addPeer(d.peer, v);
  };
  const named = hasNamedPeerPorts(rule);
  add(resolveServices(rule.services, undefined), peerValues(rule, cache, !named));
  if (named) {
    for (const g of rule.peer.addressGroups ?? []) {
      for (const m of cache.addressGroup(g)?.group.groupMembers ?? []) {
        add(
          resolveServices(rule.services, m),
          m.ips.filter((ip) => !isIPv6(ip)),
        );
      }
    }
  }
  return drafts;
}

export function compileRule(
  rule: CachedRule,
  cache: RuleCache,
  interfaces: InterfaceLookup,
): ConjSpec[] {
  const local: LocalPod[] = [];
  for (const g of rule.appliedToGroups) {
    for (const member of cache.appliedToGroup(g)?.groupMembers ?? []) {
      const iface = interfaces.podInterface(member.pod.namespace, member.pod.name);
      if (iface !== undefined) local.push({ ofport: iface.ofport, member });
    }
  }
  const drafts =
    rule.direction === 'In'
      ? compileIngress(rule, cache, local)
      : compileEgress(rule, cache, local);
  return drafts.specs();
}
