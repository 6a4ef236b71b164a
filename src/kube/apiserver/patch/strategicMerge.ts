// Strategic merge patch, as apimachinery's strategicpatch.StrategicMergePatch applies it:
// maps merge, null deletes, lists named in the PatchMeta merge by key (or as sets of scalars),
// other lists are replaced. Directives: `$patch: replace|delete|merge` (in maps and list
// items), `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
// Results keep kube's order: the patch's items in the patch's (or $setElementOrder's) order,
// with the items only the server had interleaved at their old places.
import { badRequest } from '../errors.js';
import { clone, deepEqual, isObject, type JsonObject } from '../json.js';
import type { PatchMeta } from './patchMeta.js';

const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

function keyOf(item: unknown, mergeKey: string): unknown {
  return mergeKey === '' ? item : isObject(item) ? item[mergeKey] : undefined;
}

function indexIn(list: readonly unknown[], item: unknown, mergeKey: string): number {
  const k = keyOf(item, mergeKey);
  return list.findIndex((x) => deepEqual(keyOf(x, mergeKey), k));
}

/** Orders `items` as `order` lists them (by merge key); items not in `order` keep their order after. */
function sortBy(items: unknown[], order: readonly unknown[], mergeKey: string): unknown[] {
  const pos = (x: unknown): number => {
    const i = indexIn(order, x, mergeKey);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return items
    .map((x, i) => ({ x, i }))
    .sort((a, b) => pos(a.x) - pos(b.x) || a.i - b.i)
    .map((e) => e.x);
}

/**
 * normalizeElementOrder + mergeSortedSlice: the patch items in `patchOrder`, the server-only
 * items in `serverOrder`, interleaved so both keep their relative order.
 */
function normalizeOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
): unknown[] {
  const right = sortBy(patchItems, patchOrder, mergeKey);
  const left = sortBy(serverOnly, serverOrder, mergeKey);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function partition(
  merged: unknown[],
  present: readonly unknown[],
  mergeKey: string,
): [unknown[], unknown[]] {
  const inList: unknown[] = [];
  const others: unknown[] = [];
  for (const x of merged) (indexIn(present, x, mergeKey) >= 0 ? inList : others).push(x);
  return [inList, others];
}

function mergeList(original: unknown[], patch: unknown[], meta: PatchMeta | undefined): unknown[] {
  const mergeKey = meta?.mergeKey;
  if (mergeKey === undefined) return clone(patch);
  let merged: unknown[];
  let patchItems = patch;
  if (mergeKey === '') {
    merged = [...original];
    for (const x of patch) if (!merged.some((y) => deepEqual(x, y))) merged.push(clone(x));
  } else {
    const directive = (x: unknown): unknown => (isObject(x) ? x.$patch : undefined);
    if (patch.some((x) => directive(x) === 'replace')) {
      return clone(patch.filter((x) => directive(x) !== 'replace'));
    }
    const deletions = patch.filter((x) => directive(x) === 'delete');
    patchItems = patch.filter((x) => directive(x) !== 'delete');
    merged = original.filter((o) => indexIn(deletions, o, mergeKey) < 0);
    for (const p of patchItems) {
      if (!isObject(p) || p[mergeKey] === undefined) {
        throw badRequest(
          `map: ${JSON.stringify(p)} does not contain declared merge key: ${mergeKey}`,
        );
      }
      const i = indexIn(merged, p, mergeKey);
      if (i >= 0) merged[i] = mergeMap(merged[i], p, meta);
      else merged.push(mergeMap({}, p, meta));
    }
  }
  const [fromPatch, serverOnly] = partition(merged, patchItems, mergeKey);
  return normalizeOrder(fromPatch, serverOnly, patchItems, original, mergeKey);
}

/** Applies `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>` to `out`. */
function applyListDirectives(
  out: JsonObject,
  patch: JsonObject,
  meta: PatchMeta | undefined,
): void {
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith(DELETE_PRIMITIVE)) {
      const field = k.slice(DELETE_PRIMITIVE.length);
      const current = Array.isArray(out[field]) ? (out[field] as unknown[]) : [];
      const drop = Array.isArray(v) ? v : [];
      out[field] = current.filter((x) => !drop.some((d) => deepEqual(d, x)));
    }
  }
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith(SET_ORDER) || !Array.isArray(v)) continue;
    const field = k.slice(SET_ORDER.length);
    const mergeKey = meta?.fields?.[field]?.mergeKey;
    const list = out[field];
    if (mergeKey === undefined || !Array.isArray(list)) continue;
    const [inOrder, serverOnly] = partition(list, v, mergeKey);
    out[field] = normalizeOrder(inOrder, serverOnly, v, list, mergeKey);
  }
}

function mergeMap(original: unknown, patch: JsonObject, meta: PatchMeta | undefined): unknown {
  const directive = patch.$patch;
  if (directive === 'delete') return {};
  const body = Object.fromEntries(Object.entries(patch).filter(([k]) => k !== '$patch'));
  if (directive === 'replace') return stripDirectives(body);
  if (directive !== undefined && directive !== 'merge') {
    throw badRequest(`unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  }
  const out: JsonObject = isObject(original) ? { ...original } : {};
  const retain = body.$retainKeys;
  if (Array.isArray(retain)) {
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  for (const [k, v] of Object.entries(body)) {
    if (k.startsWith('$')) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const sub = meta?.fields?.[k];
    const cur = out[k];
    if (isObject(v)) {
      if (v.$patch === 'delete') delete out[k];
      else out[k] = mergeMap(isObject(cur) ? cur : {}, v, sub);
    } else if (Array.isArray(v)) {
      out[k] = Array.isArray(cur) ? mergeList(cur, v, sub) : mergeList([], v, sub);
    } else out[k] = v;
  }
  applyListDirectives(out, body, meta);
  return out;
}

/** A `$patch: replace` value is stored as given, less any directives nested in it. */
function stripDirectives(v: unknown): JsonObject {
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v as JsonObject)) {
    if (k.startsWith('$')) continue;
    out[k] = isObject(x) ? stripDirectives(x) : clone(x);
  }
  return out;
}

export function strategicMergePatch(original: unknown, patch: unknown, meta: PatchMeta): unknown {
  if (!isObject(patch)) throw badRequest('a strategic merge patch must be a JSON object');
  return mergeMap(original, patch, meta);
}
