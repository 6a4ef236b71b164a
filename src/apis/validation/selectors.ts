// Label maps and label selectors (k8s.io/apimachinery meta/v1/validation): the checks every
// selector in every kind goes through, so a bad key reads the same in a Pod, a NetworkPolicy
// and an Antrea-native policy.
import type { LabelSelector } from '../meta.js';
import { forbidden, invalid, required, type FieldError } from './errors.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

export function validateLabelName(key: string, path: string): FieldError[] {
  if (typeof key !== 'string') return [invalid(path, key, 'a label key must be a string')];
  return isQualifiedName(key).map((m) => invalid(path, key, m));
}

/**
 * Manifests parsed as YAML 1.1 turn `y`/`yes`/`on` into booleans: a label value must be a
 * string, or a selector would silently match nothing. `reportAt` is where kube reports a bad
 * value's syntax (a map reports at the map's own path).
 */
function validateLabelValue(v: unknown, path: string, reportAt = path): FieldError[] {
  if (typeof v !== 'string') return [invalid(path, v, 'a label value must be a string')];
  return isValidLabelValue(v).map((m) => invalid(reportAt, v, m));
}

/** Kube reports every bad key or value of a map at the map's own path. */
export function validateLabels(
  labels: Readonly<Record<string, string>> | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    errs.push(...validateLabelValue(v, `${path}.${k}`, path));
  }
  return errs;
}

export function validateLabelSelector(
  selector: LabelSelector | undefined,
  path: string,
): FieldError[] {
  if (!selector) return [];
  const errs = validateLabels(selector.matchLabels, `${path}.matchLabels`);
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          errs.push(
            required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"),
          );
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errs.push(
            forbidden(
              `${p}.values`,
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        }
        break;
      default:
        // Manifests are untyped: the operator may be anything the user wrote.
        errs.push(invalid(`${p}.operator`, req.operator, 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(req.key, `${p}.key`));
    values.forEach((v, j) => errs.push(...validateLabelValue(v, `${p}.values[${j}]`)));
  });
  return errs;
}
