// What validation needs to know about other objects (Antrea's admission webhook reads the
// Tier informer for these). Without a context, the default Tiers are the only Tiers.
import { DEFAULT_TIERS } from '../crd.js';

export interface ValidationContext {
  /** Whether a Tier of this name exists. The default Tiers always exist. */
  tierExists?(name: string): boolean;
  /** Whether a Tier other than `exceptName` already has this priority. */
  tierPriorityTaken?(priority: number, exceptName: string): boolean;
}

export function tierExists(ctx: ValidationContext, name: string): boolean {
  return Object.hasOwn(DEFAULT_TIERS, name) || (ctx.tierExists?.(name) ?? false);
}

export function tierPriorityTaken(
  ctx: ValidationContext,
  priority: number,
  exceptName: string,
): boolean {
  if (ctx.tierPriorityTaken) return ctx.tierPriorityTaken(priority, exceptName);
  return Object.entries(DEFAULT_TIERS).some(([name, p]) => p === priority && name !== exceptName);
}
