// The semantics of the API verbs over storage, as kube-apiserver's generic registry has them:
// uid, creationTimestamp, generation, generateName, optimistic concurrency on
// resourceVersion, status subresources, defaulting and admission, graceful deletion with
// finalizers and deletion propagation. Every verb is synchronous; a committed change is
// published to watchers before the verb returns.
import { randomInt, randomUUID } from 'node:crypto';
import type { KubeObject } from '../../apis/meta.js';
import { admit, type AdmissionPlugin } from './admission.js';
import { applyDefaults } from './defaults.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  notFound,
  STALE_OBJECT,
  unsupportedMediaType,
} from './errors.js';
import { arr, at, clone, deepEqual, isObject, str, type JsonObject } from './json.js';
import { jsonPatch } from './patch/jsonPatch.js';
import { mergePatch } from './patch/mergePatch.js';
import { strategicMergePatch } from './patch/strategicMerge.js';
import { apiVersionOf, resourceKey, type ResourceDef } from './resources.js';
import { labelsMatch, matches, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { Storage, EventType } from './storage.js';
import type { WatchHub } from './watchHub.js';

export interface ListOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
}

export interface ListResult {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

export interface WriteOptions {
  readonly dryRun?: boolean;
  readonly subresource?: 'status';
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  readonly dryRun?: boolean;
  readonly propagationPolicy?: PropagationPolicy;
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

export interface DeleteResult {
  readonly object: KubeObject;
  /** True when finalizers keep the object (it now has a deletionTimestamp). */
  readonly pending: boolean;
}

export type PatchType = 'json' | 'merge' | 'strategic';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';
export const NAMESPACE_FINALIZER = 'kubernetes';
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** RFC 3339 at second precision, as kube writes metav1.Time. */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** kube's SimpleNameGenerator: five characters without vowels or look-alikes. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return s;
}

function meta(o: JsonObject): JsonObject {
  if (!isObject(o.metadata)) o.metadata = {};
  return o.metadata as JsonObject;
}

/** Everything but metadata (and status, when status has its own endpoint). */
function content(def: ResourceDef, o: KubeObject): JsonObject {
  const { metadata: _m, status: _s, ...rest } = o as KubeObject & { status?: unknown };
  return def.subresources.includes('status') ? rest : { ...rest, status: _s };
}

function finalized(def: ResourceDef, o: KubeObject): boolean {
  if (arr(o.metadata.finalizers).length > 0) return false;
  return def.kind !== 'Namespace' || arr(at(o, 'spec', 'finalizers')).length === 0;
}

interface Continue {
  readonly rv: number;
  readonly after: string;
}

function encodeContinue(c: Continue): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeContinue(token: string): Continue {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString()) as Continue;
    if (typeof c.rv === 'number' && typeof c.after === 'string') return c;
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid: invalid continue token');
}

export class Registry {
  private readonly now: () => number;

  constructor(
    readonly storage: Storage,
    readonly hub: WatchHub,
    private readonly admission: readonly AdmissionPlugin[],
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  get(def: ResourceDef, namespace: string, name: string): KubeObject {
    const o = this.storage.get(resourceKey(def), namespace, name);
    if (!o) throw notFound(def, name);
    return o;
  }

  find(def: ResourceDef, namespace: string, name: string): KubeObject | undefined {
    return this.storage.get(resourceKey(def), namespace, name);
  }

  /** The filter of a list or watch: label and field selectors. */
  objectFilter(def: ResourceDef, opts: ListOptions): (o: KubeObject) => boolean {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector);
    for (const f of fields) {
      if (
        f.key !== 'metadata.name' &&
        f.key !== 'metadata.namespace' &&
        !def.fieldSelectors.includes(f.key)
      ) {
        throw badRequest(`field label not supported: ${f.key}`);
      }
    }
    return (o) =>
      labelsMatch(labels, o.metadata.labels) && matches(fields, (key) => fieldValue(o, key));
  }

  list(def: ResourceDef, namespace: string | undefined, opts: ListOptions = {}): ListResult {
    const filter = this.objectFilter(def, opts);
    const start = opts.continue ? decodeContinue(opts.continue) : undefined;
    const keyOf = (o: KubeObject): string =>
      `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    let items = this.storage
      .list(resourceKey(def), namespace)
      .filter((o) => (start === undefined || keyOf(o) > start.after) && filter(o));
    const rv = start?.rv ?? this.storage.currentRV;
    const limit = opts.limit ?? 0;
    if (limit > 0 && items.length > limit) {
      const remaining = items.length - limit;
      items = items.slice(0, limit);
      return {
        items,
        resourceVersion: String(rv),
        continue: encodeContinue({ rv, after: keyOf(items[items.length - 1]!) }),
        remainingItemCount: remaining,
      };
    }
    return { items, resourceVersion: String(rv) };
  }

  private commit(
    def: ResourceDef,
    type: EventType,
    o: KubeObject,
    prev: KubeObject | undefined,
  ): KubeObject {
    const event = this.storage.commit(resourceKey(def), type, o, prev);
    this.hub.publish(event);
    return event.object;
  }

  private checkNamespace(def: ResourceDef, namespace: string, name: string): void {
    if (!def.namespaced) return;
    const ns = this.storage.get('namespaces', '', namespace);
    if (!ns) throw notFound({ group: '', plural: 'namespaces' }, namespace);
    if (ns.metadata.deletionTimestamp) {
      throw forbidden(
        def,
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
        {
          reason: 'NamespaceTerminating',
          message: `namespace ${namespace} is being terminated`,
          field: 'metadata.namespace',
        },
      );
    }
  }

  /** Checks the body's kind, apiVersion and namespace against the request. */
  private checkBody(def: ResourceDef, namespace: string, body: unknown): JsonObject {
    if (!isObject(body)) throw badRequest('the request body must be a JSON object');
    const o = clone(body);
    if (o.kind !== undefined && o.kind !== def.kind) {
      throw badRequest(
        `the kind in the data (${String(o.kind)}) does not match the expected kind (${def.kind})`,
      );
    }
    if (o.apiVersion !== undefined && o.apiVersion !== apiVersionOf(def)) {
      throw badRequest(
        `the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${apiVersionOf(def)})`,
      );
    }
    o.kind = def.kind;
    o.apiVersion = apiVersionOf(def);
    const m = meta(o);
    if (def.namespaced) {
      if (m.namespace !== undefined && m.namespace !== '' && m.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      m.namespace = namespace;
    } else delete m.namespace;
    return o;
  }

  /** Defaulting, the Namespace name label, admission. */
  private prepare(
    def: ResourceDef,
    o: JsonObject,
    old: KubeObject | undefined,
    subresource?: string,
  ): KubeObject {
    if (def.kind === 'Namespace') {
      const m = meta(o);
      m.labels = { ...(isObject(m.labels) ? m.labels : {}), [NAMESPACE_NAME_LABEL]: str(m.name) };
    }
    applyDefaults(def, o);
    admit(this.admission, {
      operation: old ? 'UPDATE' : 'CREATE',
      def,
      object: o,
      ...(old ? { oldObject: old } : {}),
      ...(subresource ? { subresource } : {}),
    });
    return o as unknown as KubeObject;
  }

  create(def: ResourceDef, namespace: string, body: unknown, opts: WriteOptions = {}): KubeObject {
    const o = this.checkBody(def, namespace, body);
    const m = meta(o);
    if (!m.name && typeof m.generateName === 'string' && m.generateName !== '') {
      m.name = m.generateName + randomSuffix();
    }
    const name = str(m.name);
    this.checkNamespace(def, namespace, name);
    m.uid = randomUUID();
    m.creationTimestamp = timestamp(this.now());
    for (const k of [
      'resourceVersion',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'managedFields',
    ])
      delete m[k];
    if (def.generation) m.generation = 1;
    else delete m.generation;
    if (def.kind === 'Namespace') {
      o.spec = { ...(isObject(o.spec) ? o.spec : {}), finalizers: [NAMESPACE_FINALIZER] };
    }
    // As in kube, status is the controllers' to write: a create cannot set it (Nodes excepted:
    // the kubelet registers a Node with its status).
    if (def.subresources.includes('status') && def.kind !== 'Node') delete o.status;
    const obj = this.prepare(def, o, undefined);
    if (this.storage.get(resourceKey(def), namespace, name)) throw alreadyExists(def, name);
    return opts.dryRun ? obj : this.commit(def, 'ADDED', obj, undefined);
  }

  update(
    def: ResourceDef,
    namespace: string,
    name: string,
    body: unknown,
    opts: WriteOptions = {},
  ): KubeObject {
    const current = this.get(def, namespace, name);
    const o = this.checkBody(def, namespace, body);
    const m = meta(o);
    if (m.name !== undefined && m.name !== name) {
      throw badRequest(
        `the name of the object (${str(m.name)}) does not match the name on the URL (${name})`,
      );
    }
    const rv = m.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) {
      throw conflict(def, name, STALE_OBJECT);
    }
    return this.replace(def, current, o, opts);
  }

  /** Stores `o` in place of `current` (whose resourceVersion was checked by the caller). */
  private replace(
    def: ResourceDef,
    current: KubeObject,
    o: JsonObject,
    opts: WriteOptions,
  ): KubeObject {
    let next: JsonObject;
    if (opts.subresource === 'status') {
      next = { ...clone(current as unknown as JsonObject), status: o.status };
    } else {
      next = o;
      if (def.subresources.includes('status')) {
        const status = (current as KubeObject & { status?: unknown }).status;
        if (status === undefined) delete next.status;
        else next.status = clone(status);
      }
    }
    const m = meta(next);
    const cm = current.metadata;
    m.name = cm.name;
    for (const k of [
      'namespace',
      'uid',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'generation',
    ] as const) {
      if (cm[k as keyof typeof cm] === undefined) delete m[k];
      else m[k] = clone(cm[k as keyof typeof cm]);
    }
    m.resourceVersion = cm.resourceVersion;
    delete m.managedFields;
    const obj = this.prepare(def, next, current, opts.subresource);
    if (def.generation && !deepEqual(content(def, obj), content(def, current))) {
      (obj.metadata as { generation?: number }).generation = (cm.generation ?? 0) + 1;
    }
    if (deepEqual(obj, current)) return current;
    if (opts.dryRun) return obj;
    if (obj.metadata.deletionTimestamp && finalized(def, obj))
      return this.commit(def, 'DELETED', obj, current);
    return this.commit(def, 'MODIFIED', obj, current);
  }

  patch(
    def: ResourceDef,
    namespace: string,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: WriteOptions = {},
  ): KubeObject {
    const current = this.get(def, namespace, name);
    let patched: unknown;
    switch (type) {
      case 'json':
        patched = jsonPatch(current, patch);
        break;
      case 'merge':
        patched = mergePatch(current, patch);
        break;
      case 'strategic':
        if (!def.patchMeta) {
          throw unsupportedMediaType('application/strategic-merge-patch+json', [
            'application/json-patch+json',
            'application/merge-patch+json',
            'application/apply-patch+yaml',
          ]);
        }
        patched = strategicMergePatch(current, patch, def.patchMeta);
        break;
      default: {
        const never: never = type;
        throw new Error(`unknown patch type ${String(never)}`);
      }
    }
    const o = this.checkBody(def, namespace, patched);
    const m = meta(o);
    // A patch that carries a resourceVersion is conditional on it, as in kube.
    if (m.resourceVersion !== undefined && m.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(def, name, STALE_OBJECT);
    }
    if (m.name !== undefined && m.name !== name) {
      throw badRequest(
        `the name of the object (${str(m.name)}) does not match the name on the URL (${name})`,
      );
    }
    return this.replace(def, current, o, opts);
  }

  delete(
    def: ResourceDef,
    namespace: string,
    name: string,
    opts: DeleteOptions = {},
  ): DeleteResult {
    const current = this.get(def, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw conflict(
        def,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid ?? ''}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        def,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`,
      );
    }
    const o = clone(current as unknown as JsonObject);
    const m = meta(o);
    const finalizers = new Set(arr(m.finalizers).map((f) => str(f)));
    if (opts.propagationPolicy === 'Orphan') finalizers.add(FINALIZER_ORPHAN);
    if (opts.propagationPolicy === 'Foreground') finalizers.add(FINALIZER_FOREGROUND);
    if (finalizers.size > 0) m.finalizers = [...finalizers];
    if (def.kind === 'Namespace')
      o.status = { ...(isObject(o.status) ? o.status : {}), phase: 'Terminating' };
    const obj = o as unknown as KubeObject;
    if (finalized(def, obj)) {
      return {
        object: opts.dryRun ? current : this.commit(def, 'DELETED', current, current),
        pending: false,
      };
    }
    if (!m.deletionTimestamp) {
      m.deletionTimestamp = timestamp(this.now());
      m.deletionGracePeriodSeconds = 0;
      if (typeof m.generation === 'number') m.generation += 1;
    }
    if (deepEqual(obj, current) || opts.dryRun) return { object: obj, pending: true };
    return { object: this.commit(def, 'MODIFIED', obj, current), pending: true };
  }

  deleteCollection(
    def: ResourceDef,
    namespace: string | undefined,
    listOpts: ListOptions,
    opts: DeleteOptions = {},
  ): KubeObject[] {
    const { items } = this.list(def, namespace, { ...listOpts, limit: 0 });
    return items.map(
      (o) => this.delete(def, o.metadata.namespace ?? '', o.metadata.name ?? '', opts).object,
    );
  }
}

/** A field selector's view of an object: dotted paths, booleans and numbers as text, '' if absent. */
export function fieldValue(o: KubeObject, key: string): string {
  const v = at(o, ...key.split('.'));
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}
