// crd.antrea.io/v1beta1 kinds: Antrea-native policies, Tiers, groups, and the agent/controller
// info objects.
import type { IntOrString, KubeObject, LabelSelector, ObjectMeta, Protocol } from './meta.js';
import type { IPBlock } from './networking.js';

export const CRD_GROUP = 'crd.antrea.io';
export const CRD_API_VERSION = 'crd.antrea.io/v1beta1';

export type RuleAction = 'Allow' | 'Drop' | 'Reject' | 'Pass';
export const RULE_ACTIONS: readonly RuleAction[] = ['Allow', 'Drop', 'Reject', 'Pass'];

export interface AntreaPort {
  readonly protocol?: Protocol;
  readonly port?: IntOrString;
  readonly endPort?: number;
  readonly sourcePort?: number;
  readonly sourceEndPort?: number;
}

export interface PeerNamespaces {
  readonly match?: 'Self';
  readonly sameLabels?: readonly string[];
}

export interface AntreaPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly namespaces?: PeerNamespaces;
  readonly ipBlock?: IPBlock;
  readonly group?: string;
  readonly fqdn?: string;
  readonly nodeSelector?: LabelSelector;
  readonly serviceAccount?: { readonly name: string; readonly namespace: string };
}

export interface AppliedTo {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly group?: string;
  readonly serviceAccount?: { readonly name: string; readonly namespace: string };
  readonly nodeSelector?: LabelSelector;
  readonly service?: { readonly name: string; readonly namespace: string };
}

export interface AntreaRule {
  readonly action?: RuleAction;
  readonly ports?: readonly AntreaPort[];
  readonly from?: readonly AntreaPeer[];
  readonly to?: readonly AntreaPeer[];
  readonly name?: string;
  readonly enableLogging?: boolean;
  readonly appliedTo?: readonly AppliedTo[];
}

export interface AntreaPolicySpec {
  readonly tier?: string;
  readonly priority: number;
  readonly appliedTo?: readonly AppliedTo[];
  readonly ingress?: readonly AntreaRule[];
  readonly egress?: readonly AntreaRule[];
}

export interface AntreaPolicyStatus {
  readonly phase?: string;
  readonly observedGeneration?: number;
  readonly currentNodesRealized?: number;
  readonly desiredNodesRealized?: number;
}

export interface ClusterNetworkPolicy extends KubeObject {
  readonly kind?: 'ClusterNetworkPolicy';
  readonly spec: AntreaPolicySpec;
  readonly status?: AntreaPolicyStatus;
}

/** Antrea's namespaced NetworkPolicy (ANNP). */
export interface AntreaNetworkPolicy extends KubeObject {
  readonly kind?: 'NetworkPolicy';
  readonly spec: AntreaPolicySpec;
  readonly status?: AntreaPolicyStatus;
}

export interface Tier extends KubeObject {
  readonly kind?: 'Tier';
  readonly spec: { readonly priority: number; readonly description?: string };
}

export interface GroupSpec {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlocks?: readonly IPBlock[];
  readonly childGroups?: readonly string[];
  readonly serviceReference?: { readonly name: string; readonly namespace: string };
}

export interface ClusterGroup extends KubeObject {
  readonly kind?: 'ClusterGroup';
  readonly spec: GroupSpec;
}

export interface Group extends KubeObject {
  readonly kind?: 'Group';
  readonly spec: GroupSpec;
}

export interface AgentCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly lastHeartbeatTime: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface ObjectRef {
  readonly kind?: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface NetworkPolicyControllerInfo {
  readonly networkPolicyNum: number;
  readonly addressGroupNum: number;
  readonly appliedToGroupNum: number;
}

/** Cluster-scoped, one per node, named after the node; fields at the top level as in Antrea. */
export interface AntreaAgentInfo {
  readonly apiVersion?: string;
  readonly kind?: 'AntreaAgentInfo';
  readonly metadata: ObjectMeta;
  readonly version?: string;
  readonly podRef?: ObjectRef;
  readonly nodeRef?: ObjectRef;
  readonly nodeSubnets?: readonly string[];
  readonly ovsInfo?: {
    readonly version?: string;
    readonly bridgeName?: string;
    readonly flowTable?: Readonly<Record<string, number>>;
  };
  readonly networkPolicyControllerInfo?: NetworkPolicyControllerInfo;
  readonly localPodNum?: number;
  readonly agentConditions?: readonly AgentCondition[];
  readonly apiPort?: number;
}

export interface AntreaControllerInfo {
  readonly apiVersion?: string;
  readonly kind?: 'AntreaControllerInfo';
  readonly metadata: ObjectMeta;
  readonly version?: string;
  readonly podRef?: ObjectRef;
  readonly nodeRef?: ObjectRef;
  readonly serviceRef?: ObjectRef;
  readonly networkPolicyControllerInfo?: NetworkPolicyControllerInfo;
  readonly connectedAgentNum?: number;
  readonly controllerConditions?: readonly AgentCondition[];
  readonly apiPort?: number;
}

/** The five default tiers of Antrea plus Baseline, by name → priority. */
export const DEFAULT_TIERS: Readonly<Record<string, number>> = {
  emergency: 50,
  securityops: 100,
  networkops: 150,
  platform: 200,
  application: 250,
  baseline: 253,
};
export const DEFAULT_TIER_NAME = 'application';
export const BASELINE_TIER_PRIORITY = 253;
