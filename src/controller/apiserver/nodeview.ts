// Span at the store: what one agent's node has been sent, and the events that bring it up to
// date after a batch of controller changes. A policy goes to a node when its applied-to pods
// run there; its AppliedToGroups with it; an AddressGroup while some policy sent to the node
// uses it. Groups are sent before the policies that use them, and removed after.
import type { AddressGroup, AppliedToGroup, InternalNetworkPolicy } from '../../apis/index.js';
import type { ControlPlaneEvent, ControlPlaneKind } from '../networkpolicy/events.js';
import { groupsOf, type PolicyGroups } from '../networkpolicy/policygroups.js';

export interface ControlPlaneReader {
  getNetworkPolicy(name: string): InternalNetworkPolicy | undefined;
  getAddressGroup(name: string): AddressGroup | undefined;
  getAppliedToGroup(name: string): AppliedToGroup | undefined;
  networkPolicyNames(): string[];
  networkPolicyOnNode(name: string, node: string): boolean;
  appliedToGroupOnNode(name: string, node: string): boolean;
  policiesUsingAppliedToGroup(name: string): string[];
}

export type ControlPlaneObject = InternalNetworkPolicy | AddressGroup | AppliedToGroup;

export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly kind: ControlPlaneKind;
  readonly name: string;
  /** Absent for DELETED. */
  readonly object?: ControlPlaneObject;
}

export class NodeView {
  /** Policy sent → the groups it used when sent. */
  private readonly policies = new Map<string, PolicyGroups>();
  private readonly addressGroups = new Map<string, number>();
  private readonly appliedToGroups = new Map<string, number>();

  constructor(
    readonly node: string,
    private readonly cp: ControlPlaneReader,
  ) {}

  /** Everything the node needs now, as ADDED events (a fresh or reconnecting agent). */
  initial(): WatchEvent[] {
    return this.update(
      this.cp.networkPolicyNames().map((name) => ({ type: 'ADDED', kind: 'NetworkPolicy', name })),
    );
  }

  update(events: readonly ControlPlaneEvent[]): WatchEvent[] {
    const changed = new Set(
      events.filter((e) => e.type === 'MODIFIED').map((e) => `${e.kind}/${e.name}`),
    );
    const candidates = new Set<string>();
    for (const e of events) {
      if (e.kind === 'NetworkPolicy') candidates.add(e.name);
      if (e.kind === 'AppliedToGroup')
        for (const p of this.cp.policiesUsingAppliedToGroup(e.name)) candidates.add(p);
    }
    const groupEvents: WatchEvent[] = [];
    const policyAdds: WatchEvent[] = [];
    const policyDels: WatchEvent[] = [];
    const groupDels: WatchEvent[] = [];
    const touch = (kind: 'AddressGroup' | 'AppliedToGroup', name: string, delta: number) => {
      const counts = kind === 'AddressGroup' ? this.addressGroups : this.appliedToGroups;
      const before = counts.get(name) ?? 0;
      const after = before + delta;
      if (after === 0) counts.delete(name);
      else counts.set(name, after);
      if (before === 0 && after > 0) {
        const object =
          kind === 'AddressGroup' ? this.cp.getAddressGroup(name) : this.cp.getAppliedToGroup(name);
        if (object) groupEvents.push({ type: 'ADDED', kind, name, object });
      } else if (before > 0 && after === 0) {
        groupDels.push({ type: 'DELETED', kind, name });
      }
    };
    // All new references first, then the released ones: a group moving from one policy to
    // another in the same batch is never deleted and re-added.
    const decided = [...candidates].map((name) => {
      const np = this.cp.getNetworkPolicy(name);
      const want = np !== undefined && this.cp.networkPolicyOnNode(name, this.node);
      return { name, np, had: this.policies.get(name), next: want ? groupsOf(np) : undefined };
    });
    for (const { next } of decided) {
      for (const g of next?.address ?? []) touch('AddressGroup', g, +1);
      for (const g of next?.appliedTo ?? []) touch('AppliedToGroup', g, +1);
    }
    for (const { name, np, had, next } of decided) {
      for (const g of had?.address ?? []) touch('AddressGroup', g, -1);
      for (const g of had?.appliedTo ?? []) touch('AppliedToGroup', g, -1);
      if (next) {
        this.policies.set(name, next);
        if (!had) policyAdds.push({ type: 'ADDED', kind: 'NetworkPolicy', name, object: np! });
        else if (changed.has(`NetworkPolicy/${name}`)) {
          policyAdds.push({ type: 'MODIFIED', kind: 'NetworkPolicy', name, object: np! });
        }
      } else if (had) {
        this.policies.delete(name);
        policyDels.push({ type: 'DELETED', kind: 'NetworkPolicy', name });
      }
    }
    // Member changes of groups the node keeps.
    const added = new Set(groupEvents.map((e) => `${e.kind}/${e.name}`));
    for (const e of events) {
      if (e.type !== 'MODIFIED' || e.kind === 'NetworkPolicy' || added.has(`${e.kind}/${e.name}`))
        continue;
      const kept = (e.kind === 'AddressGroup' ? this.addressGroups : this.appliedToGroups).has(
        e.name,
      );
      const object =
        e.kind === 'AddressGroup'
          ? this.cp.getAddressGroup(e.name)
          : this.cp.getAppliedToGroup(e.name);
      if (kept && object)
        groupEvents.push({ type: 'MODIFIED', kind: e.kind, name: e.name, object });
    }
    return [...groupEvents, ...policyAdds, ...policyDels, ...groupDels];
  }

  counts(): { networkPolicies: number; addressGroups: number; appliedToGroups: number } {
    return {
      networkPolicies: this.policies.size,
      addressGroups: this.addressGroups.size,
      appliedToGroups: this.appliedToGroups.size,
    };
  }
}
