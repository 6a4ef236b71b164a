// The REST verbs on resource paths: list/watch/create/deletecollection on collections,
// get/update/patch/delete on objects, and the status, scale and log subresources (exec is an
// upgrade, served by server.ts). Translates HTTP into Registry calls and back.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pod } from '../../../apis/core.js';
import type { KubeObject } from '../../../apis/meta.js';
import { badRequest, methodNotAllowed, pathNotFound, unsupportedMediaType } from '../errors.js';
import { isObject, str } from '../json.js';
import {
  type DeleteOptions,
  type ListOptions,
  type PatchType,
  type PropagationPolicy,
  type Registry,
} from '../registry.js';
import { apiVersionOf, findResource, type ResourceDef } from '../resources.js';
import type { PodRuntime } from '../runtime.js';
import { patchScale, toScale, updateScale } from '../scale.js';
import { serveLogs } from './logs.js';
import type { ResourceRequest } from './requestInfo.js';
import { readJson, sendJson } from './respond.js';
import { tableRendering, toTable } from './table.js';
import { serveWatch, type WatchSettings } from './watch.js';

export interface RestContext {
  readonly registry: Registry;
  readonly watch: WatchSettings;
  readonly runtime: () => PodRuntime | undefined;
}

export interface ResolvedRequest {
  readonly def: ResourceDef;
  /** '' for cluster-scoped resources; undefined for a namespaced list across namespaces. */
  readonly namespace: string | undefined;
  readonly name?: string;
  readonly subresource?: string;
}

export function resolve(info: ResourceRequest): ResolvedRequest {
  const def = findResource(info.group, info.version, info.resource);
  if (!def) throw pathNotFound();
  if (!def.namespaced && info.namespace !== undefined) throw pathNotFound();
  if (info.subresource !== undefined && !def.subresources.includes(info.subresource as never)) {
    throw pathNotFound();
  }
  return {
    def,
    namespace: def.namespaced ? info.namespace : '',
    ...(info.name !== undefined ? { name: info.name } : {}),
    ...(info.subresource !== undefined ? { subresource: info.subresource } : {}),
  };
}

const PATCH_CONTENT_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
};

const isDryRun = (q: URLSearchParams): boolean => q.getAll('dryRun').includes('All');

function listOptions(q: URLSearchParams): ListOptions {
  const limit = q.get('limit');
  if (limit !== null && !/^\d+$/.test(limit)) throw badRequest(`invalid limit: ${limit}`);
  return {
    labelSelector: q.get('labelSelector') ?? '',
    fieldSelector: q.get('fieldSelector') ?? '',
    limit: limit === null ? 0 : Number(limit),
    continue: q.get('continue') ?? '',
  };
}

function patchType(req: IncomingMessage): PatchType {
  const contentType = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  const type = PATCH_CONTENT_TYPES[contentType];
  if (!type) {
    throw unsupportedMediaType(contentType, [
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ]);
  }
  return type;
}

function deleteOptions(body: unknown, q: URLSearchParams): DeleteOptions {
  const b = isObject(body) ? body : {};
  const policy = str(b.propagationPolicy) || q.get('propagationPolicy') || 'Background';
  if (!['Background', 'Foreground', 'Orphan'].includes(policy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${policy}"`);
  }
  const orphan = b.orphanDependents === true || q.get('orphanDependents') === 'true';
  const pre = isObject(b.preconditions) ? b.preconditions : {};
  return {
    propagationPolicy: (orphan ? 'Orphan' : policy) as PropagationPolicy,
    dryRun: isDryRun(q) || (Array.isArray(b.dryRun) && b.dryRun.includes('All')),
    preconditions: {
      ...(typeof pre.uid === 'string' ? { uid: pre.uid } : {}),
      ...(typeof pre.resourceVersion === 'string' ? { resourceVersion: pre.resourceVersion } : {}),
    },
  };
}

function listObject(def: ResourceDef, items: readonly KubeObject[], metadata: object): object {
  return { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata, items };
}

export async function serveResource(
  ctx: RestContext,
  r: ResolvedRequest,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const { registry } = ctx;
  const { def, name, subresource } = r;
  const method = req.method ?? 'GET';
  const table = tableRendering(req.headers.accept, query.get('includeObject'));
  const dryRun = isDryRun(query);

  if (name === undefined) {
    switch (method) {
      case 'GET': {
        if (query.get('watch') === 'true' || query.get('watch') === '1') {
          serveWatch(
            registry,
            ctx.watch,
            { def, namespace: r.namespace || undefined, query, table },
            req,
            res,
          );
          return;
        }
        const list = registry.list(def, r.namespace || undefined, listOptions(query));
        const meta = {
          resourceVersion: list.resourceVersion,
          ...(list.continue
            ? { continue: list.continue, remainingItemCount: list.remainingItemCount }
            : {}),
        };
        sendJson(
          res,
          200,
          table ? toTable(def, list.items, meta, table) : listObject(def, list.items, meta),
        );
        return;
      }
      case 'POST': {
        if (r.namespace === undefined) throw pathNotFound();
        sendJson(res, 201, registry.create(def, r.namespace, await readJson(req), { dryRun }));
        return;
      }
      case 'DELETE': {
        const opts = deleteOptions(await readJson(req), query);
        const deleted = registry.deleteCollection(
          def,
          r.namespace || undefined,
          listOptions(query),
          opts,
        );
        sendJson(res, 200, listObject(def, deleted, {}));
        return;
      }
      default:
        throw methodNotAllowed(method);
    }
  }

  const ns = r.namespace ?? '';
  if (r.namespace === undefined) throw pathNotFound();
  switch (subresource) {
    case undefined:
      break;
    case 'status':
      return serveStatus(ctx, def, ns, name, req, res, dryRun);
    case 'scale':
      return serveScale(ctx, def, ns, name, req, res);
    case 'log':
      if (method !== 'GET') throw methodNotAllowed(method);
      return serveLogs(registry.get(def, ns, name) as Pod, ctx.runtime(), query, req, res);
    case 'exec':
      throw badRequest('Upgrade request required');
    default:
      throw pathNotFound();
  }

  switch (method) {
    case 'GET': {
      const o = registry.get(def, ns, name);
      sendJson(
        res,
        200,
        table ? toTable(def, [o], { resourceVersion: o.metadata.resourceVersion }, table) : o,
      );
      return;
    }
    case 'PUT':
      sendJson(res, 200, registry.update(def, ns, name, await readJson(req), { dryRun }));
      return;
    case 'PATCH': {
      const type = patchType(req);
      sendJson(res, 200, registry.patch(def, ns, name, type, await readJson(req), { dryRun }));
      return;
    }
    case 'DELETE': {
      const result = registry.delete(def, ns, name, deleteOptions(await readJson(req), query));
      sendJson(res, result.pending ? 202 : 200, result.object);
      return;
    }
    default:
      throw methodNotAllowed(method);
  }
}

async function serveStatus(
  ctx: RestContext,
  def: ResourceDef,
  ns: string,
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
  dryRun: boolean,
): Promise<void> {
  const method = req.method ?? 'GET';
  const opts = { dryRun, subresource: 'status' as const };
  switch (method) {
    case 'GET':
      sendJson(res, 200, ctx.registry.get(def, ns, name));
      return;
    case 'PUT':
      sendJson(res, 200, ctx.registry.update(def, ns, name, await readJson(req), opts));
      return;
    case 'PATCH': {
      const type = patchType(req);
      sendJson(res, 200, ctx.registry.patch(def, ns, name, type, await readJson(req), opts));
      return;
    }
    default:
      throw methodNotAllowed(method);
  }
}

async function serveScale(
  ctx: RestContext,
  def: ResourceDef,
  ns: string,
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? 'GET';
  switch (method) {
    case 'GET':
      sendJson(res, 200, toScale(ctx.registry.get(def, ns, name)));
      return;
    case 'PUT':
      sendJson(res, 200, updateScale(ctx.registry, def, ns, name, await readJson(req)));
      return;
    case 'PATCH': {
      const type = patchType(req);
      sendJson(res, 200, patchScale(ctx.registry, def, ns, name, type, await readJson(req)));
      return;
    }
    default:
      throw methodNotAllowed(method);
  }
}

/** The pod an exec request targets (exec itself is an upgrade handled by the server). */
export function execPod(ctx: RestContext, r: ResolvedRequest): Pod {
  if (r.subresource !== 'exec' || r.name === undefined || r.namespace === undefined)
    throw pathNotFound();
  return ctx.registry.get(r.def, r.namespace, r.name) as Pod;
}
