// The output forms every antctl get command offers (-o table|json|yaml), as Antrea's antctl
// prints them: a table whose columns are padded to their widest cell and separated by one
// space, or the API objects as indented JSON or YAML.
import { Option } from 'commander';
import { stringify } from 'yaml';
import { UsageError } from './errors.js';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** How one kind of item is shown as a table. */
export interface TableSpec<T> {
  readonly header: readonly string[];
  row(item: T): readonly string[];
}

/** The -o flag every antctl command that prints objects takes, as Antrea's antctl words it. */
export function outputOption(): Option {
  return new Option('-o, --output <string>', 'output format: json|table|yaml')
    .choices(OUTPUT_FORMATS)
    .default('table');
}

export function parseOutputFormat(value: string): OutputFormat {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(
      `unknown output format "${value}": want one of ${OUTPUT_FORMATS.join(', ')}`,
    );
  }
  return value as OutputFormat;
}

export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join(' ')
      .trimEnd();
  return [header, ...rows].map(line).join('\n') + '\n';
}

export function formatOutput<T>(
  items: readonly T[],
  format: OutputFormat,
  table: TableSpec<T>,
): string {
  return formatObject(items, format, (all) =>
    formatTable(
      table.header,
      all.map((i) => table.row(i)),
    ),
  );
}

/** Any value as indented JSON or YAML, or as `text` renders it for the table form. */
export function formatObject<T>(value: T, format: OutputFormat, text: (v: T) => string): string {
  switch (format) {
    case 'table':
      return text(value);
    case 'json':
      return JSON.stringify(value, null, 2) + '\n';
    case 'yaml':
      return stringify(value);
    default: {
      const never: never = format;
      throw new UsageError(`unknown output format ${String(never)}`);
    }
  }
}
