// The flow cache's form of a flow: text, as its bundle line carries it, in three strings:
//   head:  the key up to the last match field's value (`table=90, priority=200,ip,nw_src=`),
//          one string for all flows of a rule's clause;
//   tail:  that value (`10.0.0.5`), a string the builder already holds;
//   value: what follows the key (`actions=conjunction(5,1/2)`), one string per clause.
// head + tail is the flow's identity, what modify_strict and delete_strict address; owners of
// one identity must agree on the value (conjunctions merge). So 100,000 policy flows cost no
// flow objects and no formatting: the bundle line is `add ${head}${tail} ${value}`. Only flows
// built by this pipeline meet here, and a builder always lists a flow's fields in the same
// order, so unlike flowIdentity (which sorts, to compare with dumps) nothing is sorted.
import type { Flow } from '../../ovs/flow.js';
import { formatFlowKey, formatFlowValue, parseFlow } from '../../ovs/flowtext.js';

/**
 * Whether the flow's key splits into a shared head and its last match value. A key that ends in
 * a field without value (`…,conj_id=5,ip`, `…,tcp`, an empty match) is held whole as its tail,
 * under the empty head: such keys are mostly one of a kind, and a head of its own each would be a
 * group of one entry each.
 */
function splits(f: Flow): boolean {
  return f.match.length > 0 && f.match[f.match.length - 1].value !== undefined;
}

export function flowTail(f: Flow): string {
  return splits(f) ? f.match[f.match.length - 1].value! : flat(formatFlowKey(f));
}

export function flowHead(f: Flow): string {
  if (!splits(f)) return '';
  const key = formatFlowKey(f);
  return flat(key.slice(0, key.length - flowTail(f).length));
}

/**
 * `s` as one flat string. V8 keeps a string built by `+` or a template as a tree of its pieces
 * (32 bytes a node) until something reads it whole; strings that the cache keeps for each of
 * 10,000 rules are flattened when made, so the trees die young. Joining two pieces writes a new
 * sequential string (Number(s), flatstr's trick, no longer flattens in place).
 */
export function flat(s: string): string {
  return s.length < 2 ? s : [s.slice(0, 1), s.slice(1)].join('');
}

/** The typed flow of a cached one (for readers such as antctl; not on the install path). */
export function parseCachedFlow(head: string, tail: string, value: string): Flow {
  const f = parseFlow(`${head}${tail} ${value}`);
  // parseFlow reads `actions=drop` as the action `drop`; the pipeline writes no action.
  return f.actions.length === 1 && f.actions[0] === 'drop' ? { ...f, actions: [] } : f;
}

/**
 * An owner's flows, in the cache's form: parallel arrays, no object per flow. Reusable: clear()
 * keeps the arrays, so a caller that fills one per rule allocates them once.
 */
export class FlowTexts {
  /** Entries [0, length) are the flows; the arrays may be longer. */
  readonly heads: string[] = [];
  readonly tails: string[] = [];
  readonly values: string[] = [];
  private count = 0;

  static of(flows: readonly Flow[]): FlowTexts {
    const out = new FlowTexts();
    for (const f of flows) out.addFlow(f);
    return out;
  }

  get length(): number {
    return this.count;
  }

  clear(): void {
    this.count = 0;
  }

  add(head: string, tail: string, value: string): void {
    const i = this.count++;
    this.heads[i] = head;
    this.tails[i] = tail;
    this.values[i] = value;
  }

  addFlow(f: Flow): void {
    this.add(flowHead(f), flowTail(f), flat(formatFlowValue(f)));
  }
}
