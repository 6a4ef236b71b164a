// The groups an internal NetworkPolicy names, by role. They are exactly the groups the policy
// holds references on in the controller, and the groups an agent needs along with the policy.
import type { InternalNetworkPolicy } from '../../apis/index.js';
import type { GroupRole } from './groups.js';

export type PolicyGroups = Readonly<Record<GroupRole, Set<string>>>;

export function groupsOf(np: InternalNetworkPolicy): PolicyGroups {
  const address = new Set<string>();
  const appliedTo = new Set<string>(np.appliedToGroups);
  for (const r of np.rules) {
    for (const g of r.from.addressGroups ?? []) address.add(g);
    for (const g of r.to.addressGroups ?? []) address.add(g);
    for (const g of r.appliedToGroups ?? []) appliedTo.add(g);
  }
  return { address, appliedTo };
}
