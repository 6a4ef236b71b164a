// One policy's conversion at a time: answers the converter's group needs, taking the policy's
// references on the groups as it goes, and records what it used. The controller reuses one
// Conversion, so converting a policy allocates no scratch maps (some 80 MB over 75,000 policies).
import type { LabelSelector } from '../../apis/index.js';
import type { GroupNeeds } from './groupneeds.js';
import { ROLE_BIT, type GroupRole, type GroupState, type GroupTerms } from './groups.js';
import { groupNameFor, selectorKey, type GroupSelector } from './groupselector.js';
import { namedGroupKey, type ResolvedGroup } from './namedgroups.js';
import { clearScratch } from './scratch.js';
import type { PolicyEntry } from './policyentry.js';

/** What the conversion asks of the controller. */
export interface ConversionHost {
  /** Takes the policy's reference on the group of this name in the role; returns the group. */
  refGroup(name: string, terms: GroupTerms, role: GroupRole, policy: PolicyEntry): GroupState;
  /** Takes the policy's reference on a group it already holds in another role. */
  useGroup(g: GroupState, role: GroupRole, policy: PolicyEntry): void;
  resolveNamed(key: string, deps: Set<string>): ResolvedGroup;
  namespacesMatching(
    selector: LabelSelector,
  ): { name: string; labels: Readonly<Record<string, string>> }[];
}

/** The groups a policy holds: a role mask (ROLE_BIT) per group name, 0 for groups not held. */
export interface HeldGroups {
  maskOf(name: string): number;
}

/** Past this many groups (per-namespace rules), names are found through a Map. */
const INDEX_FROM = 16;

export class Conversion implements GroupNeeds, HeldGroups {
  private entry: PolicyEntry | undefined;
  /** The groups taken so far, and each one's roles in masks at the same position. */
  private readonly groups: GroupState[] = [];
  private readonly masks: number[] = [];
  private index: Map<string, number> | undefined;
  /**
   * The last selector key and its group name: a policy often uses one selector twice in a row
   * (a peer and the applied-to), and its SHA-1 name is then made once.
   */
  private lastKey = '';
  private lastName = '';
  namedDeps: Set<string> | undefined;
  namespaceDependent = false;

  constructor(private readonly host: ConversionHost) {}

  /** Starts converting the entry's policy, forgetting the previous conversion. */
  begin(entry: PolicyEntry): void {
    this.entry = entry;
    clearScratch(this.groups);
    clearScratch(this.masks);
    this.index = undefined;
    this.lastKey = '';
    this.namedDeps = undefined;
    this.namespaceDependent = false;
  }

  maskOf(name: string): number {
    const i = this.find(name);
    return i < 0 ? 0 : this.masks[i]!;
  }

  /** A group this conversion took, by name. */
  group(name: string): GroupState | undefined {
    const i = this.find(name);
    return i < 0 ? undefined : this.groups[i];
  }

  selector(sel: GroupSelector, role: GroupRole): string {
    const key = selectorKey(sel);
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastName = groupNameFor(key);
    }
    return this.want(this.lastName, role, sel);
  }

  named(namespace: string | undefined, name: string, role: GroupRole) {
    const key = namedGroupKey(namespace, name);
    const r = this.host.resolveNamed(key, (this.namedDeps ??= new Set()));
    if (r.terms.length === 0 && r.ipBlocks.length > 0) return { ipBlocks: r.ipBlocks };
    return { name: this.want(key, role, r.terms), ipBlocks: r.ipBlocks };
  }

  namespaces(selector: LabelSelector) {
    this.namespaceDependent = true;
    return this.host.namespacesMatching(selector);
  }

  /** References the group; returns its name as the group holds it, so policies share it. */
  private want(name: string, role: GroupRole, terms: GroupTerms): string {
    const i = this.find(name);
    if (i >= 0) {
      // Taken already in another role (a policy's peer and applied-to often match alike).
      const g = this.groups[i]!;
      if (!(this.masks[i]! & ROLE_BIT[role])) {
        this.host.useGroup(g, role, this.entry!);
        this.masks[i]! |= ROLE_BIT[role];
      }
      return g.name;
    }
    const g = this.host.refGroup(name, terms, role, this.entry!);
    this.groups.push(g);
    this.masks.push(ROLE_BIT[role]);
    if (this.index) this.index.set(g.name, this.groups.length - 1);
    else if (this.groups.length > INDEX_FROM) {
      this.index = new Map(this.groups.map((x, j) => [x.name, j]));
    }
    return g.name;
  }

  private find(name: string): number {
    if (this.index) return this.index.get(name) ?? -1;
    for (let i = 0; i < this.groups.length; i++) if (this.groups[i]!.name === name) return i;
    return -1;
  }
}
