// The `labelSelector` and `fieldSelector` query parameters: parsing kube's string syntax,
// matching, and the canonical string of a LabelSelector (what printers show as SELECTOR).
import type { LabelSelector } from '../../apis/meta.js';
import { badRequest } from './errors.js';

export type Operator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

export interface Requirement {
  readonly key: string;
  readonly op: Operator;
  readonly values: readonly string[];
}

export type Selector = readonly Requirement[];

/** Splits at commas outside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

const SET_TERM = /^(\S+)\s+(in|notin)\s*\((.*)\)$/;
const CMP_TERM = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/;

export function parseLabelSelector(s: string | undefined): Selector {
  if (!s) return [];
  return splitTerms(s).map((term) => {
    const set = SET_TERM.exec(term);
    if (set) {
      const values = set[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      return { key: set[1]!, op: set[2] as 'in' | 'notin', values };
    }
    const cmp = CMP_TERM.exec(term);
    if (cmp) {
      const op = cmp[2] === '==' ? '=' : (cmp[2] as Operator);
      return { key: cmp[1]!, op, values: [cmp[3]!.trim()] };
    }
    if (/^![^\s!=]+$/.test(term)) return { key: term.slice(1), op: '!', values: [] };
    if (/^[^\s!=()<>]+$/.test(term)) return { key: term, op: 'exists', values: [] };
    throw badRequest(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
}

/** Field selectors accept only `=`, `==` and `!=`; the value may be empty (`spec.nodeName=`). */
export function parseFieldSelector(s: string | undefined): Selector {
  if (!s) return [];
  return splitTerms(s).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    return { key: m[1]!, op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] };
  });
}

export function matches(sel: Selector, get: (key: string) => string | undefined): boolean {
  return sel.every((r) => {
    const v = get(r.key);
    switch (r.op) {
      case '=':
        return v === r.values[0];
      case '!=':
        return v !== r.values[0];
      case 'in':
        return v !== undefined && r.values.includes(v);
      case 'notin':
        return v === undefined || !r.values.includes(v);
      case 'exists':
        return v !== undefined;
      case '!':
        return v === undefined;
      case '>':
      case '<': {
        const n = Number(v);
        const bound = Number(r.values[0]);
        if (v === undefined || Number.isNaN(n)) return false;
        return r.op === '>' ? n > bound : n < bound;
      }
      default: {
        const never: never = r.op;
        throw new Error(`unknown operator ${String(never)}`);
      }
    }
  });
}

export function labelsMatch(
  sel: Selector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return matches(sel, (k) => (labels && Object.hasOwn(labels, k) ? labels[k] : undefined));
}

/**
 * metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key, matchLabels as
 * `k=v`, sets with sorted values. Empty for an empty selector.
 */
export function labelSelectorString(sel: LabelSelector | undefined): string {
  if (!sel) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {}))
    reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    const text =
      e.operator === 'In'
        ? `${e.key} in (${vals})`
        : e.operator === 'NotIn'
          ? `${e.key} notin (${vals})`
          : e.operator === 'Exists'
            ? e.key
            : `!${e.key}`;
    reqs.push({ key: e.key, text });
  }
  return reqs
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.text)
    .join(',');
}

/** labels.FormatLabels / SelectorFromSet(...).String(): sorted `k=v`, `<none>` when empty. */
export function formatLabelMap(m: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${m![k]}`).join(',');
}
