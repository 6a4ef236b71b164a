// Reads manifests from files and folders: multi-document YAML or JSON, `kind: List` expanded.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../apis/index.js';

export class ManifestError extends Error {}

function filesUnder(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ManifestError(`${path}: no such file or directory`);
  }
  if (!st.isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((f) => {
      const full = join(path, f);
      if (statSync(full).isDirectory()) return filesUnder(full);
      return /\.(ya?ml|json)$/.test(f) ? [full] : [];
    });
}

function expand(doc: unknown, file: string): KubeObject[] {
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ManifestError(`${file}: a document is not an object`);
  }
  const o = doc as { kind?: unknown; items?: unknown; metadata?: unknown };
  if (
    o.kind === 'List' ||
    (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items))
  ) {
    return ((o.items as unknown[]) ?? []).flatMap((i) => expand(i, file));
  }
  if (typeof o.kind !== 'string') throw new ManifestError(`${file}: kind: Required value`);
  if (typeof o.metadata !== 'object' || o.metadata === null) {
    throw new ManifestError(`${file}: ${o.kind}: metadata: Required value`);
  }
  return [doc as KubeObject];
}

export function parseManifests(text: string, file: string): KubeObject[] {
  const docs = parseAllDocuments(text);
  const out: KubeObject[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) throw new ManifestError(`${file}: ${d.errors[0]!.message}`);
    out.push(...expand(d.toJSON(), file));
  }
  return out;
}

export function loadManifests(paths: readonly string[]): KubeObject[] {
  return paths.flatMap(filesUnder).flatMap((f) => parseManifests(readFileSync(f, 'utf8'), f));
}
