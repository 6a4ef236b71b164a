// `?watch=1`: a chunked stream of JSON events, one per line. Starts from the current state
// (synthetic ADDED events) when no resourceVersion is given or it is "0", otherwise replays the
// stored history after that version (410 Expired in an ERROR event when it was compacted).
// Label/field selectors apply to the object before and after each change, so an object that
// stops matching arrives as DELETED and one that starts matching as ADDED, as in kube.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../../apis/meta.js';
import { badRequest, expired } from '../errors.js';
import type { Registry } from '../registry.js';
import { apiVersionOf, resourceKey, type ResourceDef } from '../resources.js';
import type { EventType, StoredEvent } from '../storage.js';
import { toTable, type TableRendering } from './table.js';

export interface WatchSettings {
  readonly bookmarkIntervalMs: number;
}

/** A watcher that falls this far behind is cut off (kube drops slow watchers likewise). */
const MAX_BUFFERED = 32 * 1024 * 1024;

export interface WatchRequest {
  readonly def: ResourceDef;
  /** Undefined: all namespaces (or a cluster-scoped resource). */
  readonly namespace: string | undefined;
  readonly query: URLSearchParams;
  readonly table: TableRendering | undefined;
}

/**
 * What a client sees of one stored event given its filter, or nothing. An unknown previous
 * state (compacted history) counts as matching: at worst the client gets a DELETED for an
 * object it never had, which clients ignore.
 */
function visible(e: StoredEvent, matches: (o: KubeObject) => boolean): EventType | undefined {
  const now = matches(e.object);
  const before = e.prev === undefined || matches(e.prev);
  switch (e.type) {
    case 'ADDED':
      return now ? 'ADDED' : undefined;
    case 'MODIFIED':
      return now ? (before ? 'MODIFIED' : 'ADDED') : before ? 'DELETED' : undefined;
    case 'DELETED':
      return now || before ? 'DELETED' : undefined;
    default: {
      const never: never = e.type;
      throw new Error(`unknown event type ${String(never)}`);
    }
  }
}

export function serveWatch(
  registry: Registry,
  settings: WatchSettings,
  w: WatchRequest,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const { def, namespace, query, table } = w;
  const filter = registry.objectFilter(def, {
    labelSelector: query.get('labelSelector') ?? '',
    fieldSelector: query.get('fieldSelector') ?? '',
  });
  const matches = (o: KubeObject): boolean =>
    (namespace === undefined || o.metadata.namespace === namespace) && filter(o);
  const rvParam = query.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam))
    throw badRequest(`invalid resource version: ${rvParam}`);
  const storage = registry.storage;
  const key = resourceKey(def);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();

  let headersSent = false;
  let corked = false;
  const write = (type: string, o: KubeObject, json?: string): void => {
    let objectJson: string;
    if (table && type !== 'BOOKMARK' && type !== 'ERROR') {
      objectJson = JSON.stringify(toTable(def, [o], {}, table, headersSent));
      headersSent = true;
    } else objectJson = json ?? JSON.stringify(o);
    // The events of one event-loop turn leave in one write: far fewer TLS records and system
    // calls when many watchers follow a busy resource.
    if (!corked) {
      corked = true;
      res.cork();
      setImmediate(() => {
        corked = false;
        res.uncork();
      });
    }
    res.write(`{"type":"${type}","object":${objectJson}}\n`);
    if (res.writableLength > MAX_BUFFERED) res.destroy();
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    write('BOOKMARK', {
      kind: def.kind,
      apiVersion: apiVersionOf(def),
      metadata: {
        resourceVersion: String(storage.currentRV),
        ...(annotations ? { annotations } : {}),
      },
    });
  };

  const fromRV = rvParam === '' ? undefined : Number(rvParam);
  if (fromRV === undefined || fromRV === 0) {
    if (query.get('sendInitialEvents') !== 'false') {
      for (const o of storage.list(key, namespace)) if (matches(o)) write('ADDED', o);
    }
    if (query.get('sendInitialEvents') === 'true' && query.get('allowWatchBookmarks') === 'true') {
      bookmark({ 'k8s.io/initial-events-end': 'true' });
    }
  } else if (fromRV < storage.oldestResumableRV) {
    const err = expired(`too old resource version: ${fromRV} (${storage.oldestResumableRV})`);
    write('ERROR', err.toStatus() as unknown as KubeObject);
    res.end();
    return;
  } else {
    for (const e of storage.history(key, fromRV)) {
      const type = visible(e, matches);
      if (type) write(type, e.object, e.json);
    }
  }

  const unsubscribe = registry.hub.subscribe(key, (e) => {
    const type = visible(e, matches);
    if (type) write(type, e.object, e.json);
  });
  const timers: NodeJS.Timeout[] = [];
  if (query.get('allowWatchBookmarks') === 'true') {
    timers.push(setInterval(() => bookmark(), settings.bookmarkIntervalMs));
  }
  // kube ends a watch after timeoutSeconds, or after a random 30-60 minutes; clients re-watch.
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
  const timeoutMs =
    timeoutSeconds > 0 ? timeoutSeconds * 1000 : (1800 + Math.random() * 1800) * 1000;
  timers.push(setTimeout(() => res.end(), timeoutMs));
  const stop = (): void => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
  };
  res.on('close', stop);
  req.on('close', stop);
}
