// What a policy conversion asks of the group store: a name for each group it uses. The
// controller records the answers to reference-count groups per policy.
import type { IPBlockRef, LabelSelector } from '../../apis/index.js';
import type { GroupRole } from './groups.js';
import type { GroupSelector } from './groupselector.js';

export interface GroupNeeds {
  /** The group for this selector, in this role; returns its name. */
  selector(sel: GroupSelector, role: GroupRole): string;
  /**
   * A ClusterGroup (namespace undefined) or namespaced Group by name: the pod group's name
   * (undefined when the group selects no pods, e.g. only ipBlocks) and the group's ipBlocks.
   */
  named(
    namespace: string | undefined,
    name: string,
    role: GroupRole,
  ): { readonly name?: string; readonly ipBlocks: readonly IPBlockRef[] };
  /**
   * Namespaces a selector matches, with their labels (for `namespaces: {match: Self}` and
   * `sameLabels` peers); the policy is then recomputed whenever namespaces change.
   */
  namespaces(
    selector: LabelSelector,
  ): readonly { name: string; labels: Readonly<Record<string, string>> }[];
}
