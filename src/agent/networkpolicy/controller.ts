// The agent's NetworkPolicy controller: controlplane objects (and local pod interface changes)
// in, one OVS bundle out per batch. Each batch updates the rule cache, works out which rules
// need a full sync, which only an address delta, which must go, and which policies' isolation
// changed, then realizes all of it in one OpenflowClient.update. Batches run one at a time. A
// batch that fails marks what it touched dirty; the next batch (or `resync`) recomputes those
// from the cache, so the agent converges once OVS accepts again.
import type { AddressGroup, AppliedToGroup, InternalNetworkPolicy } from '../../apis/index.js';
import type { Flow } from '../../ovs/flow.js';
import type { FlowEditor, OpenflowClient } from '../openflow/client.js';
import { hasNamedPeerPorts } from './compile.js';
import { ConjIDAllocator } from './conjids.js';
import { PriorityAssigner } from './priority.js';
import { isolationOwner, Reconciler, ruleOwner } from './reconciler.js';
import { RuleCache } from './rulecache.js';
import type { InterfaceLookup } from './types.js';

export type PolicyEvent =
  | {
      readonly kind: 'NetworkPolicy';
      readonly type: 'upsert';
      readonly object: InternalNetworkPolicy;
    }
  | { readonly kind: 'NetworkPolicy'; readonly type: 'delete'; readonly uid: string }
  | { readonly kind: 'AddressGroup'; readonly type: 'upsert'; readonly object: AddressGroup }
  | { readonly kind: 'AddressGroup'; readonly type: 'delete'; readonly name: string }
  | { readonly kind: 'AppliedToGroup'; readonly type: 'upsert'; readonly object: AppliedToGroup }
  | { readonly kind: 'AppliedToGroup'; readonly type: 'delete'; readonly name: string }
  /** A local pod's interface was added or removed (the interface store changed). */
  | { readonly kind: 'PodInterface'; readonly namespace: string; readonly name: string };

/** What one batch has to realize. */
class Work {
  readonly full = new Set<string>();
  readonly removed = new Set<string>();
  readonly deltas: { id: string; added: readonly string[]; removed: readonly string[] }[] = [];
  readonly isolation = new Set<string>();
}

export class NetworkPolicyController {
  private readonly cache = new RuleCache();
  private readonly priorities = new PriorityAssigner();
  private readonly ids = new ConjIDAllocator();
  private readonly reconciler: Reconciler;
  private readonly dirtyRules = new Set<string>();
  private readonly dirtyIsolation = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: OpenflowClient,
    interfaces: InterfaceLookup,
  ) {
    this.reconciler = new Reconciler(this.cache, interfaces, this.priorities, this.ids);
  }

  /** Applies the events in order and realizes the result as one bundle; resolves with its size. */
  apply(events: readonly PolicyEvent[]): Promise<number> {
    const run = this.queue.then(() => this.applyNow(events));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Recomputes every rule and policy from the cache (after a failure, or on demand). */
  resync(): Promise<number> {
    const run = this.queue.then(() => {
      const work = new Work();
      for (const r of this.cache.allRules()) work.full.add(r.id);
      for (const r of this.reconciler.all())
        if (!this.cache.rule(r.rule.id)) work.removed.add(r.rule.id);
      for (const p of this.cache.allPolicies()) work.isolation.add(p.metadata.uid);
      return this.realize(work);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The installed flows of a policy's rules and isolation (for antctl --networkpolicy). */
  policyFlows(uid: string): Flow[] {
    const flows = new Map<string, Flow>();
    const owners = [isolationOwner(uid)];
    for (const r of this.cache.allRules()) if (r.policyUID === uid) owners.push(ruleOwner(r.id));
    for (const o of owners)
      for (const f of this.client.ownerFlows(o)) flows.set(JSON.stringify(f), f);
    return [...flows.values()];
  }

  counts(): { networkPolicies: number; addressGroups: number; appliedToGroups: number } {
    return this.cache.counts();
  }

  private applyNow(events: readonly PolicyEvent[]): Promise<number> {
    const work = new Work();
    for (const e of events) this.record(e, work);
    return this.realize(work);
  }

  /** Updates the cache with one event and notes what it requires. */
  private record(e: PolicyEvent, work: Work): void {
    switch (e.kind) {
      case 'NetworkPolicy': {
        const uid = e.type === 'upsert' ? e.object.metadata.uid : e.uid;
        const { added, removed } =
          e.type === 'upsert'
            ? this.cache.upsertPolicy(e.object)
            : { added: [], removed: this.cache.deletePolicy(e.uid) };
        for (const r of removed) {
          this.priorities.unregister(r);
          work.removed.add(r.id);
        }
        for (const r of added) {
          this.priorities.register(r);
          work.full.add(r.id);
        }
        work.isolation.add(uid);
        return;
      }
      case 'AddressGroup': {
        if (e.type === 'delete') {
          for (const id of this.cache.deleteAddressGroup(e.name)) work.full.add(id);
          return;
        }
        const d = this.cache.upsertAddressGroup(e.object);
        for (const id of d.rules) {
          const rule = this.cache.rule(id);
          if (rule === undefined) continue;
          if (d.firstSeen || hasNamedPeerPorts(rule)) work.full.add(id);
          else if (d.added.length > 0 || d.removed.length > 0)
            work.deltas.push({ id, added: d.added, removed: d.removed });
        }
        return;
      }
      case 'AppliedToGroup': {
        const users =
          e.type === 'upsert'
            ? this.cache.upsertAppliedToGroup(e.object)
            : this.cache.deleteAppliedToGroup(e.name);
        for (const id of users.rules) work.full.add(id);
        for (const uid of users.policies) work.isolation.add(uid);
        return;
      }
      case 'PodInterface': {
        const users = this.cache.usersOfPod(e.namespace, e.name);
        users.rules.forEach((id) => work.full.add(id));
        users.policies.forEach((uid) => work.isolation.add(uid));
        return;
      }
      default: {
        const never: never = e;
        throw new Error(`unknown policy event ${JSON.stringify(never)}`);
      }
    }
  }

  private async realize(work: Work): Promise<number> {
    // Native rules whose OF priority moved because another ordering entered or left their table.
    const moved = this.priorities.takeChangedTables();
    if (moved.size > 0) {
      for (const r of this.reconciler.all()) {
        const current = this.cache.rule(r.rule.id);
        if (current !== undefined && moved.has(r.placement.table)) {
          if (this.priorities.place(current).priority !== r.placement.priority)
            work.full.add(current.id);
        }
      }
    }
    for (const id of this.dirtyRules) work.full.add(id);
    for (const uid of this.dirtyIsolation) work.isolation.add(uid);
    // A rule both removed and re-added within the batch is simply synced.
    for (const id of work.removed) if (this.cache.rule(id) !== undefined) work.full.add(id);
    const gone = [...work.full, ...work.removed].filter((id) => {
      const rule = this.cache.rule(id);
      return rule === undefined || !this.cache.isComplete(rule);
    });
    const release: number[] = [];
    try {
      const { changes } = await this.client.update((f: FlowEditor) => {
        for (const id of gone) release.push(...this.reconciler.remove(id, f));
        for (const d of work.deltas) {
          if (!work.full.has(d.id)) this.reconciler.delta(d.id, d.added, d.removed, f);
        }
        for (const id of work.full) {
          const rule = this.cache.rule(id);
          if (rule !== undefined && this.cache.isComplete(rule))
            release.push(...this.reconciler.sync(rule, f));
        }
        for (const uid of work.isolation) this.reconciler.isolation(uid, f);
      });
      this.dirtyRules.clear();
      this.dirtyIsolation.clear();
      for (const id of gone) this.reconciler.forget(id);
      for (const id of release) this.ids.release(id);
      return changes;
    } catch (e) {
      for (const id of [...work.full, ...gone, ...work.deltas.map((d) => d.id)])
        this.dirtyRules.add(id);
      for (const uid of work.isolation) this.dirtyIsolation.add(uid);
      throw e;
    }
  }
}
