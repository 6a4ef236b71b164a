// Where a rule's flows go: table and OpenFlow priorities.
// - K8s NetworkPolicy rules are unordered allows: tables 50/90, clauses at 200, conj_id at 190
//   (the seed's table 90).
// - Antrea-native rules: the tier's table (Baseline: 60/100), ordered by tier priority, then
//   policy priority, then rule position. A rule's OF priority is a pure function of the set of
//   orderings present in its table (highest first, one step apart), so the result does not
//   depend on arrival order; adding an ordering shifts only the lower ones of that table, and the
//   reconciler re-installs those rules in the same bundle. (Antrea reserves zones per policy
//   priority to shift fewer flows; with the tens of native rules a cluster has, one step apart
//   is simpler and exact.)
import type { Direction } from '../../apis/index.js';
import { BASELINE_TIER_PRIORITY } from '../../apis/index.js';
import {
  BASELINE_PRIORITY_BOTTOM,
  BASELINE_PRIORITY_TOP,
  baselineTable,
  k8sRuleTable,
  NATIVE_PRIORITY_BOTTOM,
  NATIVE_PRIORITY_TOP,
  tierTable,
} from '../openflow/policy.js';
import { Priority } from '../openflow/tables.js';

export interface Placement {
  readonly table: number;
  readonly priority: number;
  readonly actionPriority: number;
}

/** How an Antrea-native rule is ordered: lower numbers win. */
export interface NativeOrder {
  readonly tierPriority: number;
  readonly policyPriority: number;
  readonly rulePriority: number;
}

export interface Placeable {
  readonly id: string;
  readonly direction: Direction;
  /** Absent for K8s NetworkPolicy rules. */
  readonly order?: NativeOrder;
}

function orderKey(o: NativeOrder): string {
  return `${o.tierPriority}/${o.policyPriority}/${o.rulePriority}`;
}

function compare(a: NativeOrder, b: NativeOrder): number {
  return (
    a.tierPriority - b.tierPriority ||
    a.policyPriority - b.policyPriority ||
    a.rulePriority - b.rulePriority
  );
}

interface TableOrders {
  /** Ordering key → the ordering and how many rules use it. */
  readonly orders: Map<string, { readonly order: NativeOrder; refs: number }>;
  /** Ordering key → rank, recomputed when the set of orderings changes. */
  ranks: Map<string, number> | undefined;
}

export class PriorityAssigner {
  private readonly tables = new Map<number, TableOrders>();
  private readonly changed = new Set<number>();

  tableOf(rule: Placeable): number {
    if (rule.order === undefined) return k8sRuleTable(rule.direction);
    return rule.order.tierPriority >= BASELINE_TIER_PRIORITY
      ? baselineTable(rule.direction)
      : tierTable(rule.direction, rule.order.tierPriority);
  }

  /** A native rule entered the rule cache. */
  register(rule: Placeable): void {
    if (rule.order === undefined) return;
    const table = this.tableOf(rule);
    let t = this.tables.get(table);
    if (t === undefined) {
      t = { orders: new Map(), ranks: undefined };
      this.tables.set(table, t);
    }
    const key = orderKey(rule.order);
    const entry = t.orders.get(key);
    if (entry !== undefined) {
      entry.refs++;
      return;
    }
    t.orders.set(key, { order: rule.order, refs: 1 });
    t.ranks = undefined;
    this.changed.add(table);
  }

  /** A native rule left the rule cache. */
  unregister(rule: Placeable): void {
    if (rule.order === undefined) return;
    const table = this.tableOf(rule);
    const t = this.tables.get(table);
    const key = orderKey(rule.order);
    const entry = t?.orders.get(key);
    if (t === undefined || entry === undefined) return;
    if (--entry.refs > 0) return;
    t.orders.delete(key);
    t.ranks = undefined;
    this.changed.add(table);
  }

  /** Tables whose orderings changed since the last call: their rules may need new priorities. */
  takeChangedTables(): Set<number> {
    const out = new Set(this.changed);
    this.changed.clear();
    return out;
  }

  place(rule: Placeable): Placement {
    const table = this.tableOf(rule);
    if (rule.order === undefined) {
      return { table, priority: Priority.Normal, actionPriority: Priority.Low };
    }
    const rank = this.rank(table, rule.order);
    const baseline = rule.order.tierPriority >= BASELINE_TIER_PRIORITY;
    const top = baseline ? BASELINE_PRIORITY_TOP : NATIVE_PRIORITY_TOP;
    const bottom = baseline ? BASELINE_PRIORITY_BOTTOM : NATIVE_PRIORITY_BOTTOM;
    const priority = top - rank;
    if (priority < bottom) {
      throw new Error(
        `rule ${rule.id}: table ${table} has more than ${top - bottom + 1} rule orderings`,
      );
    }
    return { table, priority, actionPriority: priority };
  }

  private rank(table: number, order: NativeOrder): number {
    const t = this.tables.get(table);
    const key = orderKey(order);
    if (t === undefined || !t.orders.has(key)) {
      throw new Error(`ordering ${key} is not registered in table ${table}`);
    }
    if (t.ranks === undefined) {
      const sorted = [...t.orders.entries()].sort((a, b) => compare(a[1].order, b[1].order));
      t.ranks = new Map(sorted.map(([k], i) => [k, i]));
    }
    return t.ranks.get(key) ?? 0;
  }
}
