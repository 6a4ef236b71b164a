// The reconciler (Antrea's reconciler.go): keeps, per rule, what was last realized — its
// placement and conjunctions with their ids — and turns a change into flow edits of the rule's
// owner in the flow cache: a full recomputation when the rule or its applied-to pods changed,
// only the added and removed addresses when one of its address groups changed. Isolation (K8s
// default deny) is owned per policy. Every method runs inside one OpenflowClient.update, so the
// caller's whole batch becomes one bundle.
import type { RuleAction } from '../../apis/index.js';
import type { FlowEditor } from '../openflow/client.js';
import { flat, FlowTexts } from '../openflow/flowkey.js';
import {
  addIsolationFlow,
  ConjunctionFlows,
  peerKey,
  type FlowAction,
} from '../openflow/policy.js';
import { compileRule, peerProvider } from './compile.js';
import type { ConjIDAllocator } from './conjids.js';
import type { Placement, PriorityAssigner } from './priority.js';
import type { CachedRule, RuleCache } from './rulecache.js';
import type { InterfaceLookup } from './types.js';

interface RealizedConj {
  /** The spec's key (its resolved services): a resync keeps the conj id of the same key. */
  readonly key: string;
  readonly flows: ConjunctionFlows;
}

export interface RealizedRule {
  readonly rule: CachedRule;
  readonly placement: Placement;
  /** Usually one; more when named ports resolve differently per pod. */
  readonly conjs: readonly RealizedConj[];
}

export const ruleOwner = (id: string): string => flat(`rule/${id}`);
export const isolationOwner = (policyUID: string): string => `isolation/${policyUID}`;

/** Reject needs packet-in (a later issue): until then it drops, silently. */
function flowAction(a: RuleAction): FlowAction {
  return a === 'Reject' ? 'Drop' : a;
}

export class Reconciler {
  private readonly realized = new Map<string, RealizedRule>();
  /** One rule's (or policy's) flows on their way into the cache, reused: the cache copies them. */
  private readonly flows = new FlowTexts();

  constructor(
    private readonly cache: RuleCache,
    private readonly interfaces: InterfaceLookup,
    private readonly priorities: PriorityAssigner,
    private readonly ids: ConjIDAllocator,
  ) {}

  all(): IterableIterator<RealizedRule> {
    return this.realized.values();
  }

  /** Recomputes the rule's flows; returns the conj ids it stopped using (free them after commit). */
  sync(rule: CachedRule, f: FlowEditor): number[] {
    const placement = this.priorities.place(rule);
    const old = this.realized.get(rule.id)?.conjs ?? [];
    const conjs: RealizedConj[] = [];
    const flows = this.flows;
    flows.clear();
    for (const spec of compileRule(rule, this.cache, this.interfaces)) {
      const conj = new ConjunctionFlows({
        id: old.find((c) => c.key === spec.key)?.flows.conj.id ?? this.ids.allocate(),
        direction: rule.direction,
        table: placement.table,
        priority: placement.priority,
        actionPriority: placement.actionPriority,
        action: flowAction(rule.action),
        hasServices: spec.services.length > 0,
      });
      conjs.push({ key: spec.key, flows: conj });
      conj.addAll(flows, spec.peer, spec.local, spec.services);
    }
    f.setOwner(ruleOwner(rule.id), flows);
    this.realized.set(rule.id, { rule, placement, conjs });
    return old.filter((o) => !conjs.some((c) => c.key === o.key)).map((o) => o.flows.conj.id);
  }

  /**
   * Addresses entered or left one of the rule's address groups: touch only their clause flows.
   * Whether the rule wants an address is read from the cache (the batch's events are in it), so
   * an address another of the rule's sources still provides stays.
   */
  delta(id: string, added: readonly string[], removed: readonly string[], f: FlowEditor): void {
    const r = this.realized.get(id);
    if (r === undefined) return;
    const owner = ruleOwner(id);
    const provides = peerProvider(r.rule, this.cache);
    for (const ips of [added, removed]) {
      for (const ip of ips) {
        const key = peerKey(ip);
        const wanted = provides(key);
        for (const { flows } of r.conjs) {
          const flow = flows.peer(key);
          if (wanted) f.put(owner, flow);
          else f.remove(owner, flow);
        }
      }
    }
  }

  /** Removes the rule's flows; returns its conj ids. Call `forget` once the bundle committed. */
  remove(id: string, f: FlowEditor): number[] {
    f.clearOwner(ruleOwner(id));
    return (this.realized.get(id)?.conjs ?? []).map((c) => c.flows.conj.id);
  }

  forget(id: string): void {
    this.realized.delete(id);
  }

  /** K8s NetworkPolicy isolation: default-deny flows for its local pods, per policy type. */
  isolation(policyUID: string, f: FlowEditor): void {
    const owner = isolationOwner(policyUID);
    const p = this.cache.policy(policyUID);
    if (p === undefined || p.sourceRef.type !== 'K8sNetworkPolicy') {
      f.clearOwner(owner);
      return;
    }
    const types = p.policyTypes ?? ['Ingress'];
    const flows = this.flows;
    flows.clear();
    for (const g of p.appliedToGroups) {
      for (const m of this.cache.appliedToGroup(g)?.groupMembers ?? []) {
        const iface = this.interfaces.podInterface(m.pod.namespace, m.pod.name);
        if (iface === undefined) continue;
        if (types.includes('Ingress')) addIsolationFlow(flows, 'In', iface.ofport);
        if (types.includes('Egress')) addIsolationFlow(flows, 'Out', iface.ofport);
      }
    }
    f.setOwner(owner, flows);
  }
}
