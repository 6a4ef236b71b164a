// Server-side printing: `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` turns a get,
// list or watch event into a meta.k8s.io Table with the resource's columns. Each row carries
// the object as the client asked (includeObject=None|Metadata|Object; Metadata by default),
// which kubectl reads for -A (NAMESPACE), -L and --show-labels.
import type { KubeObject } from '../../../apis/meta.js';
import type { ResourceDef } from '../resources.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableRendering {
  readonly apiVersion: string;
  readonly includeObject: IncludeObject;
}

/** The Table form the client accepts first, or undefined for plain JSON. */
export function tableRendering(
  accept: string | undefined,
  includeObject: string | null,
): TableRendering | undefined {
  for (const entry of (accept ?? '').split(',')) {
    const [type, ...params] = entry.split(';').map((s) => s.trim());
    const p = new Map(params.map((x) => x.split('=') as [string, string]));
    if (type !== 'application/json' && type !== '*/*') continue;
    const as = p.get('as');
    if (as === undefined) return undefined;
    if (
      as === 'Table' &&
      p.get('g') === 'meta.k8s.io' &&
      (p.get('v') === 'v1' || p.get('v') === 'v1beta1')
    ) {
      const inc =
        includeObject === 'None' || includeObject === 'Object' ? includeObject : 'Metadata';
      return { apiVersion: `meta.k8s.io/${p.get('v')!}`, includeObject: inc };
    }
  }
  return undefined;
}

function rowObject(o: KubeObject, r: TableRendering): object | undefined {
  switch (r.includeObject) {
    case 'None':
      return undefined;
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
    case 'Object':
      return o;
    default: {
      const never: never = r.includeObject;
      throw new Error(`unknown includeObject ${String(never)}`);
    }
  }
}

export interface TableListMeta {
  readonly resourceVersion?: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

/** A Table of `items`; without column definitions when `noHeaders` (later watch events). */
export function toTable(
  def: ResourceDef,
  items: readonly KubeObject[],
  listMeta: TableListMeta,
  r: TableRendering,
  noHeaders = false,
): object {
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: r.apiVersion,
    metadata: listMeta,
    ...(noHeaders ? {} : { columnDefinitions: def.printer.columns }),
    rows: items.map((o) => {
      const object = rowObject(o, r);
      return { cells: def.printer.cells(o, now), ...(object ? { object } : {}) };
    }),
  };
}
