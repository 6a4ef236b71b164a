// Tier: an integer priority 0-255 (CRD schema), not one of the priorities Antrea keeps for
// itself, and not one another Tier already has (Antrea's tierValidator).
import type { Tier } from '../crd.js';
import { tierPriorityTaken, type ValidationContext } from './context.js';
import { duplicate, invalid, type FieldError } from './errors.js';
import { validateObjectMeta } from './meta.js';
import { validateRequiredNumber, type NumberSchema } from './schema.js';

const TIER_PRIORITY: NumberSchema = { type: 'integer', minimum: 0, maximum: 255 };

/** Kept free around the default Tiers: 250 (application) and 253 (baseline) are taken by them. */
const RESERVED_TIER_PRIORITIES: readonly number[] = [251, 252, 254, 255];

export function validateTier(tier: Tier, ctx: ValidationContext = {}): FieldError[] {
  const errs = validateObjectMeta(tier.metadata, {
    nameRule: 'DNS1123Subdomain',
    namespaced: false,
  });
  const priority: unknown = tier.spec?.priority;
  const schemaErrs = validateRequiredNumber(priority, 'spec.priority', TIER_PRIORITY);
  if (schemaErrs.length > 0 || typeof priority !== 'number') return [...errs, ...schemaErrs];
  const name = tier.metadata?.name ?? '';
  if (RESERVED_TIER_PRIORITIES.includes(priority)) {
    errs.push(invalid('spec.priority', priority, `tier ${name} priority ${priority} is reserved`));
  } else if (tierPriorityTaken(ctx, priority, name)) {
    errs.push(
      duplicate(
        'spec.priority',
        priority,
        `tier ${name} priority ${priority} overlaps with existing Tier`,
      ),
    );
  }
  return errs;
}
