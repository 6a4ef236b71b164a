// Object metadata (kube's ValidateObjectMeta): name or generateName by the kind's name rule,
// namespace by the kind's scope, label syntax, annotation keys and total size.
import type { ObjectMeta } from '../meta.js';
import { forbidden, invalid, required, tooLong, type FieldError } from './errors.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from './names.js';
import { validateLabels } from './selectors.js';

/** Which syntax a kind's names follow. */
export type NameRule = 'DNS1123Subdomain' | 'DNS1123Label' | 'DNS1035Label';

export interface ObjectMetaOptions {
  readonly nameRule: NameRule;
  /** Absent for kinds whose scope is unknown here: the namespace is then left unchecked. */
  readonly namespaced?: boolean;
}

const NAME_CHECKS: Readonly<Record<NameRule, (name: string) => string[]>> = {
  DNS1123Subdomain: isDNS1123Subdomain,
  DNS1123Label: isDNS1123Label,
  DNS1035Label: isDNS1035Label,
};

/** Kube's 256 KiB limit on the sum of annotation key and value bytes. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/**
 * A generateName is a prefix: kube checks it with a trailing '-' masked (its maskTrailingDash,
 * which also drops the character before the dash).
 */
function maskTrailingDash(prefix: string): string {
  return prefix.length > 1 && prefix.endsWith('-') ? `${prefix.slice(0, -2)}a` : prefix;
}

function validateAnnotations(
  annotations: Readonly<Record<string, string>>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    // Annotation keys are qualified names in any case.
    errs.push(...isQualifiedName(k.toLowerCase()).map((m) => invalid(path, k, m)));
    size += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(String(v), 'utf8');
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  opts: ObjectMetaOptions,
  path = 'metadata',
): FieldError[] {
  const m = meta ?? {};
  const check = NAME_CHECKS[opts.nameRule];
  const errs: FieldError[] = [];
  if (m.generateName) {
    const g = m.generateName;
    errs.push(...check(maskTrailingDash(g)).map((msg) => invalid(`${path}.generateName`, g, msg)));
  }
  if (m.name) {
    const name = m.name;
    errs.push(...check(name).map((msg) => invalid(`${path}.name`, name, msg)));
  } else if (!m.generateName) {
    // Kube generates the name before validating; here the API server may validate first.
    errs.push(required(`${path}.name`, 'name or generateName is required'));
  }
  if (opts.namespaced === true) {
    if (!m.namespace) errs.push(required(`${path}.namespace`));
    else {
      const ns = m.namespace;
      errs.push(...isDNS1123Label(ns).map((msg) => invalid(`${path}.namespace`, ns, msg)));
    }
  } else if (opts.namespaced === false && m.namespace) {
    errs.push(forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations ?? {}, `${path}.annotations`));
  return errs;
}
