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

export function flowTail(f: Flow): string {
  return f.match.length === 0 ? '' : (f.match[f.match.length - 1].value ?? '');
}

export function flowHead(f: Flow): string {
  const key = formatFlowKey(f);
  return key.slice(0, key.length - flowTail(f).length);
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
    this.add(flowHead(f), flowTail(f), formatFlowValue(f));
  }
}
