// Antrea-native policies: ClusterNetworkPolicy (ACNP) and the namespaced Antrea NetworkPolicy
// (ANNP), with the rules of their CRD schemas and of Antrea's admission webhook
// (pkg/controller/networkpolicy/validate.go).
import type {
  AntreaNetworkPolicy,
  AntreaPolicySpec,
  AntreaPort,
  AntreaRule,
  ClusterNetworkPolicy,
} from '../crd.js';
import { RULE_ACTIONS } from '../crd.js';
import {
  validateAntreaPeer,
  validateAppliedTos,
  validateServiceIngressPeers,
  type PolicyShape,
} from './antrea-peers.js';
import { tierExists, type ValidationContext } from './context.js';
import { duplicate, forbidden, invalid, required, type FieldError } from './errors.js';
import { validateObjectMeta } from './meta.js';
import { validatePolicyPort } from './ports.js';
import { validateRequiredEnum, validateRequiredNumber, type NumberSchema } from './schema.js';

const POLICY_PRIORITY: NumberSchema = { type: 'number', minimum: 1, maximum: 10000 };

/** Antrea accepts these capitalised names for the default Tiers besides their lower-case CRs. */
const STATIC_TIER_NAMES: ReadonlySet<string> = new Set([
  'Emergency',
  'SecurityOps',
  'NetworkOps',
  'Platform',
  'Application',
  'Baseline',
]);

type Direction = 'ingress' | 'egress';

interface PolicyRule {
  readonly rule: AntreaRule;
  readonly path: string;
  readonly direction: Direction;
}

function validateTierRef(tier: string | undefined, ctx: ValidationContext): FieldError[] {
  if (!tier || STATIC_TIER_NAMES.has(tier) || tierExists(ctx, tier)) return [];
  return [invalid('spec.tier', tier, `tier ${tier} does not exist`)];
}

/** appliedTo sits either in the spec or in every rule. */
function validateAppliedToPlacement(
  specAppliedTo: number,
  rules: readonly PolicyRule[],
): FieldError[] {
  const withAppliedTo = rules.filter((r) => (r.rule.appliedTo?.length ?? 0) > 0).length;
  if (specAppliedTo > 0 && withAppliedTo > 0) {
    return [forbidden('spec.appliedTo', 'appliedTo should not be set in both spec and rules')];
  }
  if (specAppliedTo === 0 && withAppliedTo === 0) {
    return [required('spec.appliedTo', 'appliedTo needs to be set in either spec or rules')];
  }
  if (withAppliedTo === 0) return [];
  return rules
    .filter((r) => (r.rule.appliedTo?.length ?? 0) === 0)
    .map((r) =>
      required(
        `${r.path}.appliedTo`,
        'appliedTo field should either be set in all rules or in none of them',
      ),
    );
}

function validateSourcePorts(port: AntreaPort, path: string): FieldError[] {
  const end = port.sourceEndPort;
  if (end === undefined) return [];
  if (port.sourcePort === undefined) {
    return [
      invalid(
        `${path}.sourceEndPort`,
        end,
        'if `sourceEndPort` is specified `sourcePort` must be specified',
      ),
    ];
  }
  return end < port.sourcePort
    ? [
        invalid(
          `${path}.sourceEndPort`,
          end,
          '`sourceEndPort` should be greater than or equal to `sourcePort`',
        ),
      ]
    : [];
}

function validateRule(
  { rule, path, direction }: PolicyRule,
  shape: PolicyShape,
  baseline: boolean,
  policyOnServices: boolean,
): FieldError[] {
  const errs = validateRequiredEnum(rule.action, `${path}.action`, RULE_ACTIONS);
  if (baseline && rule.action === 'Pass') {
    errs.push(
      forbidden(`${path}.action`, '`Pass` action should not be set for Baseline Tier policy rules'),
    );
  }
  errs.push(...validateAppliedTos(rule.appliedTo ?? [], `${path}.appliedTo`, direction, shape));
  (rule.ports ?? []).forEach((port, i) => {
    errs.push(...validatePolicyPort(port, `${path}.ports[${i}]`));
    errs.push(...validateSourcePorts(port, `${path}.ports[${i}]`));
  });
  const peersField = direction === 'ingress' ? 'from' : 'to';
  const peers = (direction === 'ingress' ? rule.from : rule.to) ?? [];
  peers.forEach((peer, j) => {
    errs.push(...validateAntreaPeer(peer, `${path}.${peersField}[${j}]`, direction, shape));
  });
  if (direction === 'ingress' && (policyOnServices || rule.appliedTo?.[0]?.service)) {
    errs.push(...validateServiceIngressPeers(peers, `${path}.from`));
  }
  return errs;
}

/** Rule names are unique across both directions (unnamed rules get generated names). */
function validateRuleNames(rules: readonly PolicyRule[]): FieldError[] {
  const seen = new Set<string>();
  const errs: FieldError[] = [];
  for (const { rule, path } of rules) {
    if (!rule.name) continue;
    if (seen.has(rule.name)) {
      errs.push(
        duplicate(`${path}.name`, rule.name, 'rules names must be unique within the policy'),
      );
    }
    seen.add(rule.name);
  }
  return errs;
}

/** An ACNP, or an ANNP when `kind` is `NetworkPolicy`. */
export function validateAntreaPolicy(
  policy: ClusterNetworkPolicy | AntreaNetworkPolicy,
  ctx: ValidationContext = {},
): FieldError[] {
  const spec: Partial<AntreaPolicySpec> = policy.spec ?? {};
  const ingress = spec.ingress ?? [];
  const egress = spec.egress ?? [];
  const shape: PolicyShape = {
    namespaced: policy.kind === 'NetworkPolicy',
    hasEgress: egress.length > 0,
  };
  const rules: PolicyRule[] = [
    ...ingress.map((rule, i) => ({
      rule,
      path: `spec.ingress[${i}]`,
      direction: 'ingress' as const,
    })),
    ...egress.map((rule, i) => ({ rule, path: `spec.egress[${i}]`, direction: 'egress' as const })),
  ];
  const specAppliedTo = spec.appliedTo ?? [];
  const baseline = String(spec.tier ?? '').toLowerCase() === 'baseline';
  const policyOnServices = specAppliedTo[0]?.service !== undefined;

  const errs = validateObjectMeta(policy.metadata, {
    nameRule: 'DNS1123Subdomain',
    namespaced: shape.namespaced,
  });
  errs.push(...validateRequiredNumber(spec.priority, 'spec.priority', POLICY_PRIORITY));
  errs.push(...validateTierRef(spec.tier, ctx));
  errs.push(...validateAppliedToPlacement(specAppliedTo.length, rules));
  errs.push(...validateAppliedTos(specAppliedTo, 'spec.appliedTo', 'policy', shape));
  for (const r of rules) errs.push(...validateRule(r, shape, baseline, policyOnServices));
  errs.push(...validateRuleNames(rules));
  return errs;
}
