// The whole pipeline as three owners' worth of flows: the node's own (installed once), one
// local pod's, one remote node's. The table builders stay independent; this file only lists
// them in pipeline order.
import type { Flow } from '../../ovs/flow.js';
import { arpResponderNodeFlows, arpResponderRemoteNodeFlows } from './arpresponder.js';
import { classificationNodeFlows, classificationPodFlows } from './classification.js';
import { conntrackNodeFlows } from './conntrack.js';
import { l2ForwardingNodeFlows, l2ForwardingPodFlows } from './l2forwarding.js';
import {
  l3ForwardingNodeFlows,
  l3ForwardingPodFlows,
  l3ForwardingRemoteNodeFlows,
} from './l3forwarding.js';
import { outputNodeFlows } from './output.js';
import { policyNodeFlows } from './policy.js';
import { serviceNodeFlows } from './service.js';
import { spoofGuardNodeFlows, spoofGuardPodFlows } from './spoofguard.js';
import type { NodeConfig, PodInterface, RemoteNode } from './types.js';

export function nodeFlows(cfg: NodeConfig): Flow[] {
  return [
    ...classificationNodeFlows(cfg),
    ...spoofGuardNodeFlows(cfg),
    ...arpResponderNodeFlows(cfg),
    ...conntrackNodeFlows(),
    ...serviceNodeFlows(cfg),
    ...policyNodeFlows(cfg),
    ...l3ForwardingNodeFlows(cfg),
    ...l2ForwardingNodeFlows(cfg),
    ...outputNodeFlows(),
  ];
}

/** Walkthrough step 6: tables 0, 10 (IP and ARP), 70 and 80 for one pod. */
export function podFlows(cfg: NodeConfig, pod: PodInterface): Flow[] {
  return [
    ...classificationPodFlows(pod),
    ...spoofGuardPodFlows(pod),
    ...l3ForwardingPodFlows(cfg, pod),
    ...l2ForwardingPodFlows(cfg, pod),
  ];
}

export function remoteNodeFlows(cfg: NodeConfig, node: RemoteNode): Flow[] {
  return [...arpResponderRemoteNodeFlows(node), ...l3ForwardingRemoteNodeFlows(cfg, node)];
}
