// Kubernetes NetworkPolicy → internal NetworkPolicy, as Antrea's controller does it: one
// AppliedToGroup for spec.podSelector, one AddressGroup per selector peer, ipBlocks inline.
import type {
  IPBlock,
  IPBlockRef,
  InternalNetworkPolicy,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicyRule,
  Peer,
  PolicyType,
  ServiceMatch,
} from '../../apis/index.js';
import { exactCopy } from './exactcopy.js';
import type { GroupNeeds } from './groupneeds.js';
import type { PolicyRef } from './policyref.js';
import { clearScratch } from './scratch.js';

/** A rule without peers matches every address. */
export const MATCH_ALL_PEER: Peer = { ipBlocks: [{ cidr: '0.0.0.0/0' }] };
/** The side of a rule that its direction leaves empty; one object shared by every rule. */
export const NO_PEER: Peer = Object.freeze({});
const NO_SERVICES: readonly ServiceMatch[] = Object.freeze([]);
/** The rules of a policy without any (a default deny), shared by all of them. */
const NO_RULES: readonly NetworkPolicyRule[] = Object.freeze([]);

export function servicesOf(
  ports: readonly NetworkPolicyPort[] | undefined,
): readonly ServiceMatch[] {
  if (!ports || ports.length === 0) return NO_SERVICES;
  return ports.map((p) => ({
    protocol: p.protocol ?? 'TCP',
    ...(p.port !== undefined ? { port: p.port } : {}),
    ...(p.endPort !== undefined ? { endPort: p.endPort } : {}),
  }));
}

/** Collects a rule's peer: AddressGroups (deduplicated) and ipBlocks; omits what is empty. */
export class PeerBuilder {
  private static readonly shared = new PeerBuilder();

  /**
   * The one builder, emptied: converters build one peer at a time and build() copies what it
   * keeps, so no rule allocates a builder and its two arrays.
   */
  static reused(): PeerBuilder {
    const b = PeerBuilder.shared;
    clearScratch(b.addressGroups);
    clearScratch(b.ipBlocks);
    return b;
  }

  // A rule has few peers; an array (searched to deduplicate) is cheaper than a Set here.
  private readonly addressGroups: string[] = [];
  private readonly ipBlocks: IPBlockRef[] = [];

  group(name: string | undefined): void {
    if (name !== undefined && !this.addressGroups.includes(name)) this.addressGroups.push(name);
  }

  blocks(blocks: readonly IPBlock[]): void {
    for (const b of blocks) {
      this.ipBlocks.push({ cidr: b.cidr, ...(b.except ? { except: b.except } : {}) });
    }
  }

  get empty(): boolean {
    return this.addressGroups.length === 0 && this.ipBlocks.length === 0;
  }

  build(): Peer {
    // One literal per combination: spreading optional fields copies an object per field.
    const addressGroups = this.addressGroups.length ? exactCopy(this.addressGroups) : undefined;
    const ipBlocks = this.ipBlocks.length ? exactCopy(this.ipBlocks) : undefined;
    if (addressGroups) return ipBlocks ? { addressGroups, ipBlocks } : { addressGroups };
    return ipBlocks ? { ipBlocks } : {};
  }
}

function peerOf(
  peers: readonly NetworkPolicyPeer[] | undefined,
  namespace: string,
  needs: GroupNeeds,
): Peer {
  if (!peers || peers.length === 0) return MATCH_ALL_PEER;
  const peer = PeerBuilder.reused();
  for (const p of peers) {
    if (p.ipBlock) {
      peer.blocks([p.ipBlock]);
      continue;
    }
    const sel = p.namespaceSelector
      ? { namespaceSelector: p.namespaceSelector, podSelector: p.podSelector }
      : { namespace, podSelector: p.podSelector };
    peer.group(needs.selector(sel, 'address'));
  }
  return peer.build();
}

/** An internal policy's metadata, one literal per shape (no spread of optional fields). */
export function metadataOf(
  uid: string,
  namespace: string | undefined,
  generation: number | undefined,
): InternalNetworkPolicy['metadata'] {
  if (namespace === undefined)
    return generation ? { name: uid, uid, generation } : { name: uid, uid };
  return generation ? { name: uid, uid, namespace, generation } : { name: uid, uid, namespace };
}

const INGRESS: readonly PolicyType[] = Object.freeze(['Ingress']);
const INGRESS_EGRESS: readonly PolicyType[] = Object.freeze(['Ingress', 'Egress']);

/** kube's defaulting: Ingress always, Egress when egress rules exist. Common lists are shared. */
export function policyTypesOf(np: NetworkPolicy): readonly PolicyType[] {
  const given = np.spec.policyTypes;
  if (!given || given.length === 0) {
    return np.spec.egress && np.spec.egress.length > 0 ? INGRESS_EGRESS : INGRESS;
  }
  // No list of the common lists nor a callback: this runs once per policy.
  if (sameTypes(given, INGRESS)) return INGRESS;
  if (sameTypes(given, INGRESS_EGRESS)) return INGRESS_EGRESS;
  return [...given];
}

function sameTypes(a: readonly PolicyType[], b: readonly PolicyType[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** convertK8sPolicy's scratch list of rules (it never runs within itself). */
const RULES: NetworkPolicyRule[] = [];

export function convertK8sPolicy(
  np: NetworkPolicy,
  ref: PolicyRef,
  uid: string,
  needs: GroupNeeds,
): InternalNetworkPolicy {
  const namespace = ref.namespace!;
  const types = policyTypesOf(np);
  // Loops, not forEach: no closure per direction. The rules go to the shared scratch list,
  // and only the kept copy is allocated.
  const rules = RULES;
  clearScratch(rules);
  const ingress = types.includes('Ingress') ? (np.spec.ingress ?? []) : [];
  for (let i = 0; i < ingress.length; i++) {
    const r = ingress[i]!;
    const from = peerOf(r.from, namespace, needs);
    rules.push({ direction: 'In', from, to: NO_PEER, services: servicesOf(r.ports), priority: i });
  }
  const egress = types.includes('Egress') ? (np.spec.egress ?? []) : [];
  for (let i = 0; i < egress.length; i++) {
    const r = egress[i]!;
    const to = peerOf(r.to, namespace, needs);
    rules.push({ direction: 'Out', from: NO_PEER, to, services: servicesOf(r.ports), priority: i });
  }
  return {
    kind: 'NetworkPolicy',
    metadata: metadataOf(uid, namespace, np.metadata.generation),
    rules: rules.length > 0 ? exactCopy(rules) : NO_RULES,
    appliedToGroups: [needs.selector({ namespace, podSelector: np.spec.podSelector }, 'appliedTo')],
    policyTypes: types,
    sourceRef: { type: 'K8sNetworkPolicy', namespace, name: ref.name, uid },
  };
}
