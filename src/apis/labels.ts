// Label selector matching and normalisation (the semantics of metav1.LabelSelectorAsSelector).
import type { LabelSelector, LabelSelectorRequirement } from './meta.js';

export type Labels = Readonly<Record<string, string>>;

function requirementMatches(req: LabelSelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  switch (req.operator) {
    case 'In':
      return has && (req.values ?? []).includes(labels[req.key]!);
    case 'NotIn':
      return !has || !(req.values ?? []).includes(labels[req.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default: {
      const never: never = req.operator;
      throw new Error(`unknown label selector operator ${String(never)}`);
    }
  }
}

/** An empty selector ({}) selects everything; callers treat an absent selector per context. */
export function selectorMatches(selector: LabelSelector, labels: Labels | undefined): boolean {
  const l = labels ?? {};
  const matchLabels = selector.matchLabels;
  // for-in allocates nothing (Object.entries builds an array per call); selectors are plain
  // data objects, so it sees exactly their own keys. This runs for every pod a group considers.
  for (const k in matchLabels) if (l[k] !== matchLabels[k]) return false;
  for (const req of selector.matchExpressions ?? []) {
    if (!requirementMatches(req, l)) return false;
  }
  return true;
}

export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return (
    selector !== undefined &&
    Object.keys(selector.matchLabels ?? {}).length === 0 &&
    (selector.matchExpressions ?? []).length === 0
  );
}

/**
 * A canonical string for a selector: matchLabels become `In` requirements, requirements are
 * sorted and their values sorted, so equal selectors written differently share one key.
 */
export function normalizeSelector(selector: LabelSelector): string {
  const exprs = selector.matchExpressions ?? [];
  if (exprs.length === 0) {
    // The common case, kept allocation-light: matchLabels only.
    const keys = Object.keys(selector.matchLabels ?? {});
    if (keys.length <= 1)
      return keys.length === 0 ? '' : `${keys[0]} in (${selector.matchLabels![keys[0]!]})`;
  }
  const reqs: string[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) reqs.push(`${k} in (${v})`);
  for (const r of selector.matchExpressions ?? []) {
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        reqs.push(
          `${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${[...(r.values ?? [])].sort().join(',')})`,
        );
        break;
      case 'Exists':
        reqs.push(r.key);
        break;
      case 'DoesNotExist':
        reqs.push(`!${r.key}`);
        break;
    }
  }
  return [...new Set(reqs)].sort().join(',');
}

/** `app=nginx,tier in (a,b)`: the form kubectl prints in POD-SELECTOR columns. */
export function formatSelector(selector: LabelSelector | undefined): string {
  if (!selector) return '<none>';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const r of selector.matchExpressions ?? []) {
    switch (r.operator) {
      case 'In':
        parts.push(`${r.key} in (${(r.values ?? []).join(',')})`);
        break;
      case 'NotIn':
        parts.push(`${r.key} notin (${(r.values ?? []).join(',')})`);
        break;
      case 'Exists':
        parts.push(r.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${r.key}`);
        break;
    }
  }
  return parts.length === 0 ? '<none>' : parts.join(',');
}
