// Field errors as kube-apiserver reports them (k8s.io/apimachinery util/validation/field): a
// typed error per offending field, rendered byte for byte like kube so that kubectl users and
// scripts see the messages they know.

export type FieldErrorType =
  'Invalid' | 'Required' | 'NotSupported' | 'Forbidden' | 'Duplicate' | 'TooLong';

export interface FieldError {
  readonly type: FieldErrorType;
  /** Kube's field path: `spec.ingress[0].from[1].ipBlock.except[0]`. */
  readonly field: string;
  readonly value?: unknown;
  readonly detail: string;
}

/**
 * A value printed verbatim. Kube prints typed Go values with `%#v` (for example
 * `[]networking.PolicyType{"Ingress", "Egress"}`); JavaScript values carry no Go type, so the
 * few errors that show such a value build its text themselves.
 */
export class GoLiteral {
  constructor(readonly text: string) {}
}

/** `%#v` of a Go slice of strings: `[]T{"a", "b"}`. */
export function goSliceLiteral(goType: string, values: readonly string[]): GoLiteral {
  return new GoLiteral(`[]${goType}{${values.map(goQuote).join(', ')}}`);
}

export function invalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'Invalid', field, value, detail };
}

export function required(field: string, detail = ''): FieldError {
  return { type: 'Required', field, detail };
}

/** Kube's NotSupported: the detail lists the supported values, quoted, in the given order. */
export function notSupported(
  field: string,
  value: unknown,
  supported: readonly string[],
): FieldError {
  const detail =
    supported.length > 0 ? `supported values: ${supported.map(goQuote).join(', ')}` : '';
  return { type: 'NotSupported', field, value, detail };
}

export function forbidden(field: string, detail: string): FieldError {
  return { type: 'Forbidden', field, detail };
}

export function duplicate(field: string, value: unknown, detail = ''): FieldError {
  return { type: 'Duplicate', field, value, detail };
}

export function tooLong(field: string, maxBytes: number): FieldError {
  return { type: 'TooLong', field, detail: `must have at most ${maxBytes} bytes` };
}

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/** Go's `%q` for the strings that appear in API objects (ASCII controls become `\xNN`). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const esc = GO_ESCAPES[ch];
    const code = ch.codePointAt(0)!;
    if (esc !== undefined) out += esc;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** The bad value as kube prints it: strings quoted, numbers and booleans bare, nil as null. */
function formatValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (value instanceof GoLiteral) return value.text;
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const TYPE_WORDS: Readonly<Record<FieldErrorType, string>> = {
  Invalid: 'Invalid value',
  Required: 'Required value',
  NotSupported: 'Unsupported value',
  Forbidden: 'Forbidden',
  Duplicate: 'Duplicate value',
  TooLong: 'Too long',
};

/** Kube's `ErrorBody`: the message without the field (what a Status cause carries). */
export function fieldErrorBody(e: FieldError): string {
  const showsValue = e.type !== 'Required' && e.type !== 'Forbidden' && e.type !== 'TooLong';
  let s = TYPE_WORDS[e.type];
  if (showsValue) s += `: ${formatValue(e.value)}`;
  return e.detail.length > 0 ? `${s}: ${e.detail}` : s;
}

/** `spec.ingress[0].ports[1].endPort: Invalid value: 79: must be greater than or equal to `port``. */
export function formatFieldError(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/** Kube's aggregate of an error list: duplicates dropped, several errors as `[a, b]`. */
export function formatErrorList(errs: readonly FieldError[]): string {
  const msgs = [...new Set(errs.map(formatFieldError))];
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}

/**
 * What kubectl prints for a 422: `The NetworkPolicy "x" is invalid: spec…: …`. `kind` is what
 * kubectl shows, i.e. `Kind.group` for grouped kinds (`NetworkPolicy.networking.k8s.io`).
 */
export function formatInvalid(kind: string, name: string, errs: readonly FieldError[]): string {
  const head = `The ${kind} ${goQuote(name)} is invalid`;
  return errs.length === 0 ? head : `${head}: ${formatErrorList(errs)}`;
}

const CAUSE_TYPES: Readonly<Record<FieldErrorType, string>> = {
  Invalid: 'FieldValueInvalid',
  Required: 'FieldValueRequired',
  NotSupported: 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden',
  Duplicate: 'FieldValueDuplicate',
  TooLong: 'FieldValueTooLong',
};

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field: string;
}

/** One entry of a 422 Status's `details.causes`, as apierrors.NewInvalid builds it. */
export function toStatusCause(e: FieldError): StatusCause {
  return { reason: CAUSE_TYPES[e.type], message: fieldErrorBody(e), field: e.field };
}
