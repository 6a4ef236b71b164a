// The controlplane objects this agent has received — its node's span of NetworkPolicies,
// AddressGroups and AppliedToGroups — as `antctl get networkpolicy|addressgroup|appliedtogroup`
// shows them in agent mode. Fed the same event batches as the policy controller, so it holds
// exactly what the rule cache was given; kept apart because the rule cache keeps rules, not
// the objects as they arrived.
import type { AddressGroup, AppliedToGroup, InternalNetworkPolicy } from '../../apis/index.js';
import type { PolicyEvent } from '../networkpolicy/controller.js';

const byName = <T extends { metadata: { name: string } }>(m: Map<string, T>): T[] =>
  [...m.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));

export class ReceivedPolicies {
  private readonly policies = new Map<string, InternalNetworkPolicy>();
  private readonly addressGroups = new Map<string, AddressGroup>();
  private readonly appliedToGroups = new Map<string, AppliedToGroup>();

  apply(events: readonly PolicyEvent[]): void {
    for (const e of events) {
      switch (e.kind) {
        case 'NetworkPolicy':
          if (e.type === 'upsert') this.policies.set(e.object.metadata.uid, e.object);
          else this.policies.delete(e.uid);
          break;
        case 'AddressGroup':
          if (e.type === 'upsert') this.addressGroups.set(e.object.metadata.name, e.object);
          else this.addressGroups.delete(e.name);
          break;
        case 'AppliedToGroup':
          if (e.type === 'upsert') this.appliedToGroups.set(e.object.metadata.name, e.object);
          else this.appliedToGroups.delete(e.name);
          break;
        case 'PodInterface':
          break;
        default: {
          const never: never = e;
          throw new Error(`unknown policy event ${JSON.stringify(never)}`);
        }
      }
    }
  }

  /** Sorted by namespace, then the name of the policy they come from. */
  networkPolicies(): InternalNetworkPolicy[] {
    const key = (p: InternalNetworkPolicy): string =>
      `${p.sourceRef.namespace ?? ''}/${p.sourceRef.name}`;
    return [...this.policies.values()].sort((a, b) => key(a).localeCompare(key(b)));
  }

  addressGroupList(): AddressGroup[] {
    return byName(this.addressGroups);
  }

  appliedToGroupList(): AppliedToGroup[] {
    return byName(this.appliedToGroups);
  }

  /** The uid of the policy made from `namespace/name` (cluster-scoped: no namespace). */
  policyUID(namespace: string | undefined, name: string): string | undefined {
    return [...this.policies.values()].find(
      (p) => p.sourceRef.name === name && (p.sourceRef.namespace ?? '') === (namespace ?? ''),
    )?.metadata.uid;
  }
}
