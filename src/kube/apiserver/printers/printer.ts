// What a Table response is made of: column definitions (priority 1 = shown only with -o wide)
// and a function from an object to its cells. The server always fills every column, as
// kube-apiserver does; kubectl drops the wide ones unless asked.
import type { KubeObject } from '../../../apis/meta.js';

export interface TableColumn {
  readonly name: string;
  readonly type: string;
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

export interface TablePrinter {
  readonly columns: readonly TableColumn[];
  cells(obj: KubeObject, now: number): unknown[];
}

/** Shorthand for column lists: `col('Name', 'string', {format: 'name'})`. */
export function col(
  name: string,
  type: string,
  opts: { format?: string; priority?: number; description?: string } = {},
): TableColumn {
  return {
    name,
    type,
    format: opts.format ?? '',
    description: opts.description ?? '',
    priority: opts.priority ?? 0,
  };
}

export const NAME_COLUMN = col('Name', 'string', {
  format: 'name',
  description: 'Name must be unique within a namespace.',
});
