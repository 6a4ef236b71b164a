// A complete rule → the conjunctions that realize it on this node: the local applied-to pods'
// ofports, the distinct peer addresses, and the services with named ports resolved. Named ports
// resolve per pod — for ingress from the applied-to pod, for egress from the destination member —
// so pods resolving to different ports get different conjunctions, as Antrea's reconciler groups
// members by their resolved services.
import type { GroupMember, ServiceMatch } from '../../apis/index.js';
import { peerKey, type ServicePort } from '../openflow/policy.js';
import { ipBlockCIDRs, isIPv6 } from './ipblock.js';
import type { CachedRule, RuleCache } from './rulecache.js';
import type { InterfaceLookup } from './types.js';

export interface ConjSpec {
  /** The resolved services, as a key: one conjunction per distinct set. */
  readonly key: string;
  readonly services: readonly ServicePort[];
  /** Peer side (sources of an ingress rule, destinations of an egress rule): address keys. */
  readonly peer: ReadonlySet<string>;
  /** The local applied-to pods' ofports. */
  readonly local: readonly number[];
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

interface Draft {
  readonly services: readonly ServicePort[];
  peer: Set<string>;
  readonly local: Set<number>;
}

/** The conjunctions being assembled: one per distinct set of resolved services. */
class Drafts {
  private readonly byKey = new Map<string, Draft>();

  of(services: readonly ServicePort[]): Draft {
    const key = servicesKey(services);
    let d = this.byKey.get(key);
    if (d === undefined) {
      d = { services, peer: new Set(), local: new Set() };
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
        local: [...d.local],
      }));
  }
}

interface LocalPod {
  readonly ofport: number;
  readonly member: GroupMember;
}

/** The rule's ipBlocks as address keys. */
function ipBlockKeys(rule: CachedRule): string[] {
  return (rule.peer.ipBlocks ?? []).flatMap((b) => ipBlockCIDRs(b.cidr, b.except).map(peerKey));
}

/** Adds the rule's peer addresses that need no per-member resolution: group IPs, ipBlocks. */
function addPeers(
  peer: Set<string>,
  rule: CachedRule,
  cache: RuleCache,
  withGroups: boolean,
): void {
  const { addressGroups = [], ipBlocks = [] } = rule.peer;
  // No peer at all means every address, as an empty `from`/`to` does.
  if (addressGroups.length === 0 && ipBlocks.length === 0) peer.add(peerKey('0.0.0.0/0'));
  for (const key of ipBlockKeys(rule)) peer.add(key);
  if (!withGroups) return;
  // Group members' IPs are addresses, never 0.0.0.0/0: each is its own key.
  for (const g of addressGroups) for (const ip of cache.addressGroup(g)?.ips ?? []) peer.add(ip);
}

/**
 * Whether any of the rule's address groups or ipBlocks still provides this address key (an
 * address leaving one group stays while another source holds it). Named-port egress rules are
 * never asked: their group changes are full syncs.
 */
export function peerProvider(rule: CachedRule, cache: RuleCache): (key: string) => boolean {
  const groups = (rule.peer.addressGroups ?? []).map((g) => cache.addressGroup(g)?.ips);
  let blocks: Set<string> | undefined;
  return (key) => {
    if (groups.some((ips) => ips?.has(key))) return true;
    blocks ??= new Set(ipBlockKeys(rule));
    return blocks.has(key);
  };
}

/** Ingress: the peers are common; the applied-to pods resolve named ports each. */
function compileIngress(rule: CachedRule, cache: RuleCache, local: readonly LocalPod[]): Drafts {
  const drafts = new Drafts();
  for (const { ofport, member } of local) {
    const services = resolveServices(rule.services, member);
    if (services !== undefined) drafts.of(services).local.add(ofport);
  }
  const peer = new Set<string>();
  addPeers(peer, rule, cache, true);
  for (const d of drafts.all()) d.peer = peer;
  return drafts;
}

/** Egress: the applied-to pods are common; destination members resolve named ports each. */
function compileEgress(rule: CachedRule, cache: RuleCache, local: readonly LocalPod[]): Drafts {
  const drafts = new Drafts();
  const draft = (services: readonly ServicePort[]): Draft => {
    const d = drafts.of(services);
    for (const { ofport } of local) d.local.add(ofport);
    return d;
  };
  const named = hasNamedPeerPorts(rule);
  const common = resolveServices(rule.services, undefined);
  if (common !== undefined) addPeers(draft(common).peer, rule, cache, !named);
  if (named) {
    for (const g of rule.peer.addressGroups ?? []) {
      for (const m of cache.addressGroup(g)?.group.groupMembers ?? []) {
        const services = resolveServices(rule.services, m);
        if (services === undefined) continue;
        const peer = draft(services).peer;
        for (const ip of m.ips) if (!isIPv6(ip)) peer.add(ip);
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
