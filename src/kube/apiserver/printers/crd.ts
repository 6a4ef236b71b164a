// Table printers for custom resources, built from a CRD's additionalPrinterColumns exactly as
// apiextensions-apiserver's tableconvertor does: NAME first, then each column's JSONPath value
// (first match), typed per the column; no match → null (kubectl shows `<none>`).
import { isObject, type JsonObject } from '../json.js';
import { since } from './duration.js';
import { NAME_COLUMN, col, type TablePrinter } from './printer.js';

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly priority?: number;
  readonly format?: string;
  readonly description?: string;
}

type Step =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'filter'; readonly field: string; readonly equals: string };

/**
 * The JSONPath subset CRD printer columns use: `.a.b`, `.a[0]`, `.a[*]` and
 * `.a[?(@.type=='X')].b`. Anything else is a programming error in a column table.
 */
function parsePath(path: string): Step[] {
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\*\]|\[\?\(@\.([A-Za-z0-9_-]+)\s*==\s*'([^']*)'\)\]/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < path.length && (m = re.exec(path)) !== null) {
    if (m[1] !== undefined) steps.push({ kind: 'field', name: m[1] });
    else if (m[2] !== undefined) steps.push({ kind: 'index', index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ kind: 'filter', field: m[3], equals: m[4]! });
    else steps.push({ kind: 'all' });
  }
  if (re.lastIndex !== path.length) throw new Error(`unsupported JSONPath ${path}`);
  return steps;
}

function evaluate(steps: readonly Step[], root: unknown): unknown[] {
  let cur: unknown[] = [root];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      switch (s.kind) {
        case 'field':
          if (isObject(v) && v[s.name] !== undefined) next.push(v[s.name]);
          break;
        case 'index':
          if (Array.isArray(v) && s.index < v.length) next.push(v[s.index]);
          break;
        case 'all':
          if (Array.isArray(v)) next.push(...v);
          break;
        case 'filter':
          if (Array.isArray(v))
            next.push(...v.filter((x) => isObject(x) && x[s.field] === s.equals));
          break;
        default: {
          const never: never = s;
          throw new Error(`unknown step ${String(never)}`);
        }
      }
    }
    cur = next;
  }
  return cur;
}

/** Go's fmt.Sprint of a decoded JSON value, which is what kube prints for string columns. */
function goSprint(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goSprint((v as JsonObject)[k])}`).join(' ')}]`;
  }
  return v === null ? '<nil>' : String(v);
}

function cell(type: PrinterColumn['type'], value: unknown, now: number): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'string':
      return goSprint(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value === 'string' ? since(value, now) : null;
    default: {
      const never: never = type;
      throw new Error(`unknown column type ${String(never)}`);
    }
  }
}

export const AGE_PRINTER_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
};

export function crdPrinter(columns: readonly PrinterColumn[]): TablePrinter {
  const compiled = columns.map((c) => ({ column: c, steps: parsePath(c.jsonPath) }));
  return {
    columns: [
      NAME_COLUMN,
      ...columns.map((c) =>
        col(c.name, c.type, {
          priority: c.priority ?? 0,
          format: c.format ?? '',
          description: c.description ?? '',
        }),
      ),
    ],
    cells: (o, now) => [
      o.metadata.name,
      ...compiled.map(({ column, steps }) => cell(column.type, evaluate(steps, o)[0], now)),
    ],
  };
}
