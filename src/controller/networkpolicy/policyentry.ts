// What the controller keeps per source policy: its identity, the source object, the internal
// NetworkPolicy computed from it and what that computation read. Groups list their users as
// these entries, so a group's span reaches its policies without a lookup by name.
import type { InternalNetworkPolicy, KubeObject } from '../../apis/index.js';
import type { GroupState } from './groups.js';
import type { PolicyRef } from './policyref.js';

export interface PolicyEntry extends PolicyRef {
  source: KubeObject;
  /** Also says which groups the policy holds references on: those it names. */
  internal: InternalNetworkPolicy | undefined;
  /**
   * The groups internal.appliedToGroups names, in its order: the policy's span. Most policies
   * have one, held alone rather than in an array of its own.
   */
  appliedTo: GroupState | readonly GroupState[];
  /** ClusterGroup/Group keys the conversion read. */
  namedDeps: ReadonlySet<string>;
  /** The conversion read the namespace list (per-namespace peers). */
  namespaceDependent: boolean;
}
