// controlplane.antrea.io/v1beta2 shapes: what the controller computes and each agent receives.
// Addresses are strings ("10.10.1.5", "10.0.0.0/16") rather than Antrea's byte slices, so the
// objects read well in antctl's json/yaml output.
import type { IntOrString, Protocol } from './meta.js';
import type { RuleAction } from './crd.js';

export type NetworkPolicyType =
  'K8sNetworkPolicy' | 'AntreaClusterNetworkPolicy' | 'AntreaNetworkPolicy';

export interface NetworkPolicyReference {
  readonly type: NetworkPolicyType;
  readonly namespace?: string;
  readonly name: string;
  readonly uid: string;
}

export interface NamedPort {
  readonly port: number;
  readonly name: string;
  readonly protocol: Protocol;
}

export interface PodReference {
  readonly name: string;
  readonly namespace: string;
}

export interface GroupMember {
  readonly pod: PodReference;
  readonly ips: readonly string[];
  readonly ports?: readonly NamedPort[];
  /** Node the pod runs on; the agent uses it to tell local members from remote ones. */
  readonly node?: string;
}

export interface IPBlockRef {
  readonly cidr: string;
  readonly except?: readonly string[];
}

export interface Peer {
  readonly addressGroups?: readonly string[];
  readonly ipBlocks?: readonly IPBlockRef[];
}

export interface ServiceMatch {
  readonly protocol: Protocol;
  /** Absent: every port of the protocol. A string is a named port, resolved per pod. */
  readonly port?: IntOrString;
  readonly endPort?: number;
}

export type Direction = 'In' | 'Out';

export interface NetworkPolicyRule {
  readonly direction: Direction;
  readonly from: Peer;
  readonly to: Peer;
  /** Absent or empty: every port and protocol. */
  readonly services?: readonly ServiceMatch[];
  /** Position of the rule within its direction (Antrea-native policies). */
  readonly priority: number;
  /** Antrea-native only; K8s NetworkPolicy rules are implicit Allow. */
  readonly action?: RuleAction;
  readonly name?: string;
  /** Per-rule applied-to (Antrea-native policies whose appliedTo sits in the rules). */
  readonly appliedToGroups?: readonly string[];
}

export interface InternalNetworkPolicy {
  readonly kind?: 'NetworkPolicy';
  readonly metadata: {
    readonly name: string;
    readonly uid: string;
    readonly namespace?: string;
    readonly generation?: number;
  };
  readonly rules: readonly NetworkPolicyRule[];
  readonly appliedToGroups: readonly string[];
  /** Antrea-native: the policy's spec.priority. */
  readonly priority?: number;
  /** Antrea-native: the priority of its tier. */
  readonly tierPriority?: number;
  readonly appliedToPerRule?: boolean;
  readonly sourceRef: NetworkPolicyReference;
  /** K8s NetworkPolicy: the directions in which the applied-to pods are isolated. */
  readonly policyTypes?: readonly ('Ingress' | 'Egress')[];
}

export interface AddressGroup {
  readonly kind?: 'AddressGroup';
  readonly metadata: { readonly name: string };
  readonly groupMembers: readonly GroupMember[];
}

export interface AppliedToGroup {
  readonly kind?: 'AppliedToGroup';
  readonly metadata: { readonly name: string };
  readonly groupMembers: readonly GroupMember[];
}
