// The flow cache's identity of a flow: table, priority and match in the order the builder listed
// them. Only flows built by this pipeline meet in the cache, and a builder always lists a flow's
// fields in the same order, so unlike flowIdentity (which sorts, to compare with dumps) nothing
// is sorted. It is held split in two: the head (`90/200,ip,nw_src=`), shared by many flows, and
// the tail, the last field's value (`10.0.0.5`), a string the builder already holds. So 100,000
// address flows keep no identity strings of their own.
import type { Flow, MatchField } from '../../ovs/flow.js';

export function identityTail(f: Flow): string {
  return f.match.length === 0 ? '' : (f.match[f.match.length - 1].value ?? '');
}

function buildHead(f: Flow): string {
  let head = `${f.table}/${f.priority}`;
  const last = f.match.length - 1;
  for (let i = 0; i < last; i++) {
    const m = f.match[i];
    head += m.value === undefined ? `,${m.name}` : `,${m.name}=${m.value}`;
  }
  if (last >= 0) {
    const m = f.match[last];
    head += m.value === undefined ? `,${m.name}` : `,${m.name}=`;
  }
  return head;
}

/** A flow whose head was built: its table, priority and match stand for that head. */
interface Slot {
  readonly flow: Flow;
  readonly head: string;
}

function sameField(a: MatchField, b: MatchField): boolean {
  return a === b || (a.name === b.name && a.value === b.value);
}

/** Whether two flows have the same head: every field but the last equal, the last by name. */
function sameHead(a: Flow, b: Flow): boolean {
  const n = a.match.length;
  if (a.table !== b.table || a.priority !== b.priority || n !== b.match.length) return false;
  if (n === 0) return true;
  for (let i = 0; i < n - 1; i++) if (!sameField(a.match[i], b.match[i])) return false;
  const [x, y] = [a.match[n - 1], b.match[n - 1]];
  return x.name === y.name && (x.value === undefined) === (y.value === undefined);
}

/**
 * Identity heads of recent flows. A rule's flows come in runs of one head (its sources, its
 * pods, its ports), so comparing a few fields by reference finds the head already built and
 * hashed, instead of concatenating and hashing a fresh string for each of 100,000 flows.
 */
export class HeadMemo {
  private readonly slots: (Slot | undefined)[] = new Array<Slot | undefined>(4).fill(undefined);
  private next = 0;

  head(f: Flow): string {
    for (const s of this.slots) if (s !== undefined && sameHead(f, s.flow)) return s.head;
    const head = buildHead(f);
    this.slots[this.next] = { flow: f, head };
    this.next = (this.next + 1) % this.slots.length;
    return head;
  }
}
