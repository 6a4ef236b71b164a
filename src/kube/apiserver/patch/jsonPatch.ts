// JSON patch (RFC 6902): add, remove, replace, move, copy, test over JSON pointers (RFC 6901).
import { badRequest } from '../errors.js';
import { clone, deepEqual, isObject } from '../json.js';

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The container holding the pointer's last token, and that token. */
function locate(doc: unknown, tokens: readonly string[], pointer: string): [unknown, string] {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw badRequest(`doc is missing path: "${pointer}"`);
  }
  return [cur, tokens[tokens.length - 1]!];
}

function arrayIndex(
  arr: readonly unknown[],
  token: string,
  forInsert: boolean,
  pointer: string,
): number {
  if (forInsert && token === '-') return arr.length;
  const i = Number(token);
  const max = forInsert ? arr.length : arr.length - 1;
  if (!/^\d+$/.test(token) || i > max)
    throw badRequest(`unable to access invalid index: ${pointer}`);
  return i;
}

function get(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const [parent, last] = locate(doc, tokens, pointer);
  const v = Array.isArray(parent)
    ? parent[arrayIndex(parent, last, false, pointer)]
    : isObject(parent)
      ? parent[last]
      : undefined;
  if (v === undefined) throw badRequest(`doc is missing path: "${pointer}"`);
  return v;
}

function remove(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  const [parent, last] = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, false, pointer), 1)[0];
  if (!isObject(parent) || !(last in parent)) throw badRequest(`doc is missing path: "${pointer}"`);
  const v = parent[last];
  delete parent[last];
  return v;
}

/** Adds (or, for `replace`, overwrites) a value; returns the new document (the root may change). */
function add(doc: unknown, pointer: string, value: unknown, replace: boolean): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const [parent, last] = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, !replace, pointer);
    parent.splice(i, replace ? 1 : 0, value);
  } else if (isObject(parent)) {
    if (replace && !(last in parent)) throw badRequest(`doc is missing key: "${pointer}"`);
    parent[last] = value;
  } else throw badRequest(`doc is missing path: "${pointer}"`);
  return doc;
}

export function jsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest('a JSON patch must be a list of operations');
  let doc = clone(target);
  for (const raw of patch) {
    const op = raw as Operation;
    if (!isObject(raw) || typeof op.path !== 'string')
      throw badRequest('invalid JSON patch operation');
    switch (op.op) {
      case 'add':
        doc = add(doc, op.path, clone(op.value), false);
        break;
      case 'replace':
        doc = add(doc, op.path, clone(op.value), true);
        break;
      case 'remove':
        remove(doc, op.path);
        break;
      case 'move': {
        const v = remove(doc, op.from ?? '');
        doc = add(doc, op.path, v, false);
        break;
      }
      case 'copy':
        doc = add(doc, op.path, clone(get(doc, op.from ?? '')), false);
        break;
      case 'test':
        if (!deepEqual(get(doc, op.path), op.value)) {
          throw badRequest(`testing value ${op.path} failed`);
        }
        break;
      default:
        throw badRequest(`unexpected kind: ${String(op.op)}`);
    }
  }
  return doc;
}
