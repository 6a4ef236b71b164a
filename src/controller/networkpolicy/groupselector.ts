// A group selector picks pods either inside one namespace or across the namespaces that a
// namespace selector matches; its normalised key names the group, so equal selectors written
// in different policies share one AddressGroup/AppliedToGroup, as in Antrea.
import { normalizeSelector, type LabelSelector } from '../../apis/index.js';
import { stableUuid } from './stableuuid.js';

export interface GroupSelector {
  /** Pods of this namespace only. */
  readonly namespace?: string;
  /** Pods of the namespaces it matches (used when `namespace` is unset; absent = all). */
  readonly namespaceSelector?: LabelSelector;
  /** Absent or empty: every pod in scope. */
  readonly podSelector?: LabelSelector;
}

export function selectorKey(s: GroupSelector): string {
  const scope =
    s.namespace !== undefined
      ? `namespace=${s.namespace}`
      : `namespaceSelector=${normalizeSelector(s.namespaceSelector ?? {})}`;
  return `${scope}|podSelector=${normalizeSelector(s.podSelector ?? {})}`;
}

/** A stable UUID-shaped name derived from the key, so a restarted controller names groups alike. */
export function groupNameFor(key: string): string {
  return stableUuid(key);
}
