// Manifests are checked with the same rules as the API server's admission before analysis.
// Pods are exempt: analysis needs only their labels, ports and address, not a runnable spec.
import type { KubeObject, Tier } from '../../apis/index.js';
import { DEFAULT_TIERS } from '../../apis/index.js';
import { validateObject, formatInvalid } from '../../apis/validation/index.js';
import { UsageError } from '../errors.js';

export function validateManifests(objects: readonly KubeObject[]): void {
  const tiers = new Set(Object.keys(DEFAULT_TIERS));
  for (const o of objects) if (o.kind === 'Tier') tiers.add((o as Tier).metadata.name ?? '');
  const ctx = { tierExists: (name: string) => tiers.has(name) || tiers.has(name.toLowerCase()) };
  for (const o of objects) {
    if (o.kind === 'Pod') continue;
    const errs = validateObject(o, ctx);
    if (errs.length > 0)
      throw new UsageError(formatInvalid(o.kind ?? 'Object', o.metadata.name ?? '', errs));
  }
}
