// The policy tables: 45-49/85-89 (Antrea-native tiers), 50/90 (K8s NetworkPolicy), 60/100
// (isolation defaults and the Baseline tier). A rule is one or more conjunctions, each realized
// as OVS conjunctive flows, as in walkthrough step 11:
//   clause 1 (source):      one flow per source address, or per applied-to ofport (`in_port`)
//   clause 2 (destination): one flow per applied-to ofport (`reg1`), or per destination address
//   clause 3 (service):     one flow per protocol/port (range), only when the rule has ports
//   and one `conj_id=ID` flow with the rule's action,
// so a rule of N sources, M pods and P ports costs N+M+P+1 flows, not N×M×P.
import type { Flow, MatchField } from '../../ovs/flow.js';
import type { Direction, Protocol } from '../../apis/index.js';
import { formatFlowValue } from '../../ovs/flowtext.js';
import { flow, gotoTable, m, DROP } from './build.js';
import { EgressConjID, IngressConjID, load, match, TargetOFPort } from './fields.js';
import { flat, flowHead, flowTail, type FlowTexts } from './flowkey.js';
import { Priority, Table } from './tables.js';
import type { NodeConfig } from './types.js';

const ANY_PEER = 'any';

/**
 * A peer address as a rule's flows match it: an address or CIDR, or `any` for 0.0.0.0/0 (which
 * OVS stores as plain `ip`). One key per OVS match, so equal keys are one clause flow.
 */
export function peerKey(value: string): string {
  return value === '0.0.0.0/0' ? ANY_PEER : value;
}

/** A resolved destination port (named ports already turned into numbers). */
export interface ServicePort {
  readonly protocol: Protocol;
  /** Absent: every port of the protocol. */
  readonly port?: number;
  readonly endPort?: number;
}

/** Reject waits for a later issue (it needs packet-in): the agent realizes it as Drop. */
export type FlowAction = 'Allow' | 'Drop' | 'Pass';

export interface PolicyConjunction {
  readonly id: number;
  readonly direction: Direction;
  readonly table: number;
  /** Priority of the clause flows. */
  readonly priority: number;
  /** Priority of the `conj_id` flow: below the clauses for K8s rules, equal for native ones. */
  readonly actionPriority: number;
  readonly action: FlowAction;
  /** Whether the rule has a service clause (then n=3). */
  readonly hasServices: boolean;
}

/** Antrea-native rules get priorities in this range of a tier table, highest first. */
export const NATIVE_PRIORITY_TOP = 64000;
export const NATIVE_PRIORITY_BOTTOM = 1000;
/** Baseline-tier rules sit in 60/100 below the isolation drops (Priority.Normal). */
export const BASELINE_PRIORITY_TOP = 189;
export const BASELINE_PRIORITY_BOTTOM = 1;
/** Established connections pass a tier table before any native rule. */
const NATIVE_ESTABLISHED_PRIORITY = 65000;

/** Emergency, SecurityOps, NetworkOps, Platform, Application. */
const EGRESS_TIER_TABLES = [
  Table.CNPEmergencyEgressRule,
  Table.CNPSecurityOpsEgressRule,
  Table.CNPNetworkOpsEgressRule,
  Table.CNPPlatformEgressRule,
  Table.CNPApplicationEgressRule,
] as const;
const INGRESS_TIER_TABLES = [
  Table.CNPEmergencyIngressRule,
  Table.CNPSecurityOpsIngressRule,
  Table.CNPNetworkOpsIngressRule,
  Table.CNPPlatformIngressRule,
  Table.CNPApplicationIngressRule,
] as const;

/** Where a packet goes once the policies of its direction allowed it. */
function allowedTable(direction: Direction): number {
  return direction === 'In' ? Table.ConntrackCommit : Table.L3Forwarding;
}

function conjIDField(direction: Direction) {
  return direction === 'In' ? IngressConjID : EgressConjID;
}

const established: readonly MatchField[] = [m('ct_state', '-new+est'), m('ip')];

/** The flows of the policy tables that do not depend on any policy. */
export function policyNodeFlows(cfg: NodeConfig): Flow[] {
  const flows: Flow[] = [];
  if (cfg.antreaPolicy) {
    const chains = [
      { tables: EGRESS_TIER_TABLES, direction: 'Out', next: Table.EgressRule },
      { tables: INGRESS_TIER_TABLES, direction: 'In', next: Table.IngressRule },
    ] as const;
    for (const { tables, direction, next } of chains) {
      tables.forEach((t, i) =>
        flows.push(
          flow(t, NATIVE_ESTABLISHED_PRIORITY, established, [gotoTable(allowedTable(direction))]),
          flow(t, Priority.Miss, [], [gotoTable(tables[i + 1] ?? next)]),
        ),
      );
    }
  }
  flows.push(
    flow(Table.EgressRule, Priority.High, established, [gotoTable(Table.L3Forwarding)]),
    flow(Table.EgressRule, Priority.Miss, [], [gotoTable(Table.EgressDefaultRule)]),
    flow(Table.EgressDefaultRule, Priority.Miss, [], [gotoTable(Table.L3Forwarding)]),
    flow(Table.IngressRule, Priority.High, established, [gotoTable(Table.ConntrackCommit)]),
    // The node itself (kubelet probes) always reaches its pods, as Kubernetes requires.
    flow(
      Table.IngressRule,
      Priority.High,
      [m('ip'), m('nw_src', cfg.gateway.ip)],
      [gotoTable(Table.ConntrackCommit)],
    ),
    flow(Table.IngressRule, Priority.Miss, [], [gotoTable(Table.IngressDefaultRule)]),
    flow(Table.IngressDefaultRule, Priority.Miss, [], [gotoTable(Table.ConntrackCommit)]),
  );
  return flows;
}

/** The tier table of an Antrea-native rule: by tier priority, five tiers per direction. */
export function tierTable(direction: Direction, tierPriority: number): number {
  const tables = direction === 'In' ? INGRESS_TIER_TABLES : EGRESS_TIER_TABLES;
  // Default tiers: Emergency 50, SecurityOps 100, NetworkOps 150, Platform 200, Application 250;
  // a custom tier shares the table of the next default tier at or after it.
  const index = Math.min(4, Math.max(0, Math.ceil(tierPriority / 50) - 1));
  return tables[index];
}

/** Table of a Baseline-tier rule, evaluated after K8s NetworkPolicy. */
export function baselineTable(direction: Direction): number {
  return direction === 'In' ? Table.IngressDefaultRule : Table.EgressDefaultRule;
}

/** Table of a K8s NetworkPolicy rule. */
export function k8sRuleTable(direction: Direction): number {
  return direction === 'In' ? Table.IngressRule : Table.EgressRule;
}

const IP = m('ip');

/** The peer side's match: sources of an ingress rule, destinations of an egress rule. */
function peerMatch(direction: Direction, key: string): MatchField[] {
  if (key === ANY_PEER) return [IP];
  return [IP, { name: direction === 'In' ? 'nw_src' : 'nw_dst', value: key }];
}

/** The local pod's match: destination port of an ingress rule, in_port of an egress rule. */
function localMatch(direction: Direction, ofport: number): MatchField[] {
  return direction === 'In' ? [IP, match(TargetOFPort, ofport)] : [IP, m('in_port', ofport)];
}

/** `tp_dst` matches covering [start, end] with as few value/mask pairs as possible. */
export function portMatches(start: number, end: number): string[] {
  const out: string[] = [];
  for (let s = start; s <= end;) {
    let size = 1;
    while (s % (size * 2) === 0 && s + size * 2 - 1 <= end) size *= 2;
    out.push(size === 1 ? `${s}` : `0x${s.toString(16)}/0x${(0xffff & ~(size - 1)).toString(16)}`);
    s += size;
  }
  return out;
}

/** The cache's form of flows alike but for their last match value (see flowkey.ts). */
interface TextTemplate {
  readonly head: string;
  readonly value: string;
}

function template(f: Flow): TextTemplate {
  return { head: flowHead(f), value: formatFlowValue(f) };
}

/** The heads of a conjunction's peer and local clause flows: they depend on no conj id. */
interface ClauseHeads {
  readonly peer: string;
  /** The flow of any peer (`ip` alone) is a key with no value to split off (see flowkey.ts). */
  readonly any: { readonly head: string; readonly tail: string };
  readonly local: string;
}

/**
 * The last clause heads built. Rules of one table and priority come in runs (every K8s rule of a
 * direction), so this builds the heads once per run, and a run's flows share one head string.
 */
let lastHeads: { conj: PolicyConjunction; heads: ClauseHeads } | undefined;

function clauseHeads(flows: ConjunctionFlows): ClauseHeads {
  const c = flows.conj;
  const last = lastHeads?.conj;
  if (
    last !== undefined &&
    last.direction === c.direction &&
    last.table === c.table &&
    last.priority === c.priority
  )
    return lastHeads!.heads;
  const any = flows.peer(ANY_PEER);
  const heads = {
    peer: flowHead(flows.peer('0.0.0.0')),
    any: { head: flowHead(any), tail: flowTail(any) },
    local: flowHead(flows.local(0)),
  };
  lastHeads = { conj: c, heads };
  return heads;
}

/**
 * The flows of one conjunction. Each clause's action list is built once and shared by all the
 * clause's flows: a rule with thousands of addresses allocates one `conjunction(...)` string.
 */
export class ConjunctionFlows {
  private readonly clauseActions: readonly (readonly string[])[];

  constructor(readonly conj: PolicyConjunction) {
    const n = conj.hasServices ? 3 : 2;
    this.clauseActions = (n === 3 ? [1, 2, 3] : [1, 2]).map((k) => [
      flat(`conjunction(${conj.id},${k}/${n})`),
    ]);
  }

  /** The clause flow of one peer address key: clause 1 (sources) of an ingress rule, else 2. */
  peer(key: string): Flow {
    const c = this.conj;
    return flow(c.table, c.priority, peerMatch(c.direction, key), this.peerActions());
  }

  /** The clause flow of one local pod: clause 2 (destinations) of an ingress rule, else 1. */
  local(ofport: number): Flow {
    const c = this.conj;
    return flow(c.table, c.priority, localMatch(c.direction, ofport), this.localActions());
  }

  private peerActions(): readonly string[] {
    return this.clauseActions[this.conj.direction === 'In' ? 0 : 1];
  }

  private localActions(): readonly string[] {
    return this.clauseActions[this.conj.direction === 'In' ? 1 : 0];
  }

  /** The clause-3 flows of one service port. */
  service(svc: ServicePort): Flow[] {
    const c = this.conj;
    const proto = m(svc.protocol.toLowerCase());
    const actions = this.clauseActions[2];
    if (svc.port === undefined) return [flow(c.table, c.priority, [proto], actions)];
    return portMatches(svc.port, svc.endPort ?? svc.port).map((p) =>
      flow(c.table, c.priority, [proto, m('tp_dst', p)], actions),
    );
  }

  /** `conj_id=ID,ip actions=load:ID->reg,goto_table:…` (or drop). */
  action(): Flow {
    const c = this.conj;
    const matchFields = [m('conj_id', c.id), IP];
    const record = load(conjIDField(c.direction), c.id);
    switch (c.action) {
      case 'Allow':
        return flow(c.table, c.actionPriority, matchFields, [
          record,
          gotoTable(allowedTable(c.direction)),
        ]);
      case 'Pass':
        return flow(c.table, c.actionPriority, matchFields, [
          record,
          gotoTable(k8sRuleTable(c.direction)),
        ]);
      case 'Drop':
        // OVS allows no other action next to drop; the trace still names the conj_id flow.
        return flow(c.table, c.actionPriority, matchFields, DROP);
      default: {
        const never: never = c.action;
        throw new Error(`unknown action ${String(never)}`);
      }
    }
  }

  /**
   * Appends every flow of the conjunction to `flows` (a rule's conjunctions fill one list). The
   * peer and local flows, nearly all of a rule's, go as text made from one template each: what
   * `peer(key)` and `local(ofport)` would give, without a flow object per address.
   */
  addAll(
    flows: FlowTexts,
    peers: Iterable<string>,
    local: readonly number[],
    services: readonly ServicePort[],
  ): void {
    const c = this.conj;
    const heads = clauseHeads(this);
    const peerValue = flat(formatFlowValue(flow(c.table, c.priority, [], this.peerActions())));
    const localValue = flat(formatFlowValue(flow(c.table, c.priority, [], this.localActions())));
    const addLocal = (): void => {
      for (const p of local) flows.add(heads.local, localTail(c.direction, p), localValue);
    };
    // Clause 1 first, as the conjunction numbers them.
    if (this.conj.direction === 'Out') addLocal();
    for (const key of peers) {
      if (key === ANY_PEER) flows.add(heads.any.head, heads.any.tail, peerValue);
      else flows.add(heads.peer, key, peerValue);
    }
    if (this.conj.direction === 'In') addLocal();
    for (const s of services) for (const f of this.service(s)) flows.addFlow(f);
    flows.addFlow(this.action());
  }
}

/** The last match value of a local pod's flow (see localMatch). */
function localTail(direction: Direction, ofport: number): string {
  return direction === 'In' ? match(TargetOFPort, ofport).value! : String(ofport);
}

const isolationTemplates = {
  In: template(isolationFlow('In', 0)),
  Out: template(isolationFlow('Out', 0)),
};

/** isolationFlow, appended in the cache's form. */
export function addIsolationFlow(flows: FlowTexts, direction: Direction, ofport: number): void {
  const t = isolationTemplates[direction];
  flows.add(t.head, localTail(direction, ofport), t.value);
}

/** Default deny for a pod that a K8s NetworkPolicy isolates in this direction. */
export function isolationFlow(direction: Direction, ofport: number): Flow {
  return direction === 'In'
    ? flow(Table.IngressDefaultRule, Priority.Normal, [IP, match(TargetOFPort, ofport)], DROP)
    : flow(Table.EgressDefaultRule, Priority.Normal, [IP, m('in_port', ofport)], DROP);
}
