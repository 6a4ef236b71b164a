// ClusterGroups and namespaced Groups: their definitions, resolved (with childGroups) into the
// selector terms and ipBlocks that policies referencing them use.
import type { ClusterGroup, Group, GroupSpec, IPBlockRef } from '../../apis/index.js';
import type { GroupSelector } from './groupselector.js';

export interface ResolvedGroup {
  readonly terms: readonly GroupSelector[];
  readonly ipBlocks: readonly IPBlockRef[];
}

/** The internal group name: ClusterGroups keep their name, Groups are `namespace/name`. */
export function namedGroupKey(namespace: string | undefined, name: string): string {
  return namespace === undefined ? name : `${namespace}/${name}`;
}

export class NamedGroups {
  private readonly specs = new Map<string, { namespace?: string; spec: GroupSpec }>();

  set(obj: ClusterGroup | Group, namespaced: boolean): string {
    const namespace = namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
    const key = namedGroupKey(namespace, obj.metadata.name ?? '');
    this.specs.set(key, { ...(namespace !== undefined ? { namespace } : {}), spec: obj.spec });
    return key;
  }

  delete(key: string): boolean {
    return this.specs.delete(key);
  }

  /** Terms and ipBlocks of a group and its children (one level deep, as Antrea allows). */
  resolve(key: string, seen: Set<string> = new Set()): ResolvedGroup {
    // `seen` collects every key read, missing ones too, so a dependant learns of their creation.
    if (seen.has(key)) return { terms: [], ipBlocks: [] };
    seen.add(key);
    const entry = this.specs.get(key);
    if (!entry) return { terms: [], ipBlocks: [] };
    const { namespace, spec } = entry;
    const terms: GroupSelector[] = [];
    const ipBlocks: IPBlockRef[] = [...(spec.ipBlocks ?? [])];
    if (spec.podSelector || spec.namespaceSelector) {
      terms.push(
        spec.namespaceSelector || namespace === undefined
          ? { namespaceSelector: spec.namespaceSelector ?? {}, podSelector: spec.podSelector }
          : { namespace, podSelector: spec.podSelector },
      );
    }
    for (const child of spec.childGroups ?? []) {
      const r = this.resolve(namedGroupKey(namespace, child), seen);
      terms.push(...r.terms);
      ipBlocks.push(...r.ipBlocks);
    }
    return { terms, ipBlocks };
  }
}
