// The few CRD OpenAPI schema checks Antrea's CRDs declare (required, number type and bounds,
// enums), with the messages kube-apiserver's schema validator gives for custom resources.
import { invalid, notSupported, required, type FieldError } from './errors.js';

export interface NumberSchema {
  readonly type: 'number' | 'integer';
  readonly minimum: number;
  readonly maximum: number;
}

/** The JSON type name kube reports for a value of the wrong type. */
function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** A required numeric field such as `spec.priority`. */
export function validateRequiredNumber(
  value: unknown,
  path: string,
  schema: NumberSchema,
): FieldError[] {
  if (value === undefined || value === null) return [required(path)];
  const isType = typeof value === 'number' && (schema.type === 'number' || Number.isInteger(value));
  if (!isType) {
    const actual = jsonTypeName(value);
    return [invalid(path, actual, `${path} in body must be of type ${schema.type}: "${actual}"`)];
  }
  if (value < schema.minimum) {
    return [
      invalid(path, value, `${path} in body should be greater than or equal to ${schema.minimum}`),
    ];
  }
  if (value > schema.maximum) {
    return [
      invalid(path, value, `${path} in body should be less than or equal to ${schema.maximum}`),
    ];
  }
  return [];
}

/** A required string enum such as a rule's `action`. */
export function validateRequiredEnum(
  value: unknown,
  path: string,
  allowed: readonly string[],
): FieldError[] {
  if (value === undefined || value === null) return [required(path)];
  return typeof value === 'string' && allowed.includes(value)
    ? []
    : [notSupported(path, value, allowed)];
}
