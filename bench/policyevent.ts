// The policy shape both data-plane benchmarks feed the agent: one K8s ingress rule from the
// given AddressGroups, applied through one AppliedToGroup.
import type { PolicyEvent } from '../src/agent/networkpolicy/controller.js';

export function ingressPolicyEvent(uid: string, from: string[], appliedTo: string): PolicyEvent {
  return {
    kind: 'NetworkPolicy',
    type: 'upsert',
    object: {
      metadata: { name: uid, uid, namespace: 'bench' },
      rules: [{ direction: 'In', from: { addressGroups: from }, to: {}, priority: 0 }],
      appliedToGroups: [appliedTo],
      policyTypes: ['Ingress'],
      sourceRef: { type: 'K8sNetworkPolicy', namespace: 'bench', name: uid, uid },
    },
  };
}
