// JSON merge patch (RFC 7386): objects merge key by key, null deletes, anything else replaces.
// What kubectl sends for custom resources and for `label`/`annotate`.
import { clone, isObject, type JsonObject } from '../json.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
