// The write side the controllers share: typed API clients, the patch flavours they use, and
// the error codes they react to. Controllers never send back a whole object they read: they
// create fresh objects or send patches holding only the fields they own (a patch that must not
// overwrite a change it has not seen carries the resourceVersion it read).
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';

export interface Clients {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
}

export function makeClients(kc: KubeConfig): Clients {
  return { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
}

/** JSON merge patch (RFC 7386); a patch carrying metadata.resourceVersion is conditional on it. */
export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** Strategic merge patch: lists with a merge key (e.g. status.conditions by type) merge by item. */
export const STRATEGIC_PATCH = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

/**
 * The client's typed results are class instances with Date fields, its watch events plain
 * JSON; a JSON round trip makes the former look like the latter (what the API types describe).
 */
export function toPlain<T>(typed: unknown): T {
  return JSON.parse(JSON.stringify(typed)) as T;
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof ApiException && err.code === code;
}

/** The object is gone (or not yet there): nothing to do for it. */
export const isNotFound = (err: unknown): boolean => isApiError(err, 404);
/** Someone else wrote first (409): the informer will bring the new state and a new reconcile. */
export const isConflict = (err: unknown): boolean => isApiError(err, 409);

/** One line for a log: the API's Status message when there is one, not the whole response. */
export function describeError(err: unknown): string {
  if (!(err instanceof ApiException)) return err instanceof Error ? err.message : String(err);
  const body: unknown = typeof err.body === 'string' ? safeParse(err.body) : err.body;
  const message = (body as { message?: unknown } | undefined)?.message;
  return `${err.code}: ${typeof message === 'string' ? message : err.message}`;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Runs a write whose 404 means the goal is already met (e.g. deleting a deleted pod). */
export async function ignoreNotFound(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
