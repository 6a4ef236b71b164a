// Where antctl sends a command, as Antrea's antctl decides it: agent mode inside an antrea-agent
// container (its $ANTREA_AGENT_SOCKET names the agent's local API socket; without it, the
// agent's default socket exists there), controller mode elsewhere — the antrea-controller's
// API, found through the kubeconfig: its AntreaControllerInfo names the port, and in the local
// cluster the controller listens on the API server's host. -s/--server overrides both: a socket
// path means an agent, anything else a controller address.
import { existsSync } from 'node:fs';
import { agentGet, agentSocketPath, DEFAULT_API_SOCKET } from '../agent/apiserver/client.js';
import { UsageError } from './errors.js';
import { verboseLog, type GlobalOptions } from './globals.js';
import { controllerInfo } from './kubeapi.js';

export type Endpoint =
  | { readonly mode: 'agent'; readonly socket: string }
  | { readonly mode: 'controller'; readonly url: string };
export type Mode = Endpoint['mode'];

/** Without -t, a request that gets no answer for this long fails. */
const DEFAULT_TIMEOUT_MS = 60_000;

async function controllerURL(g: GlobalOptions): Promise<string> {
  const { server, info } = await controllerInfo(g);
  if (info.apiPort === undefined) throw new Error('AntreaControllerInfo has no apiPort');
  return `http://${new URL(server).hostname}:${info.apiPort}`;
}

export async function resolveEndpoint(
  g: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Endpoint> {
  if (g.server !== undefined) {
    if (g.server.startsWith('/')) return { mode: 'agent', socket: g.server };
    return {
      mode: 'controller',
      url: /^https?:\/\//.test(g.server) ? g.server : `http://${g.server}`,
    };
  }
  if (env['ANTREA_AGENT_SOCKET'] || existsSync(DEFAULT_API_SOCKET))
    return { mode: 'agent', socket: agentSocketPath(env) };
  return { mode: 'controller', url: await controllerURL(g) };
}

/** Fails unless the command runs in one of `modes`. */
export function requireMode(endpoint: Endpoint, modes: readonly Mode[], command: string): void {
  if (!modes.includes(endpoint.mode)) {
    const where = modes.map((m) => `${m} mode`).join(' or ');
    throw new UsageError(
      `"${command}" is only available in ${where} (this antctl is in ${endpoint.mode} mode)`,
    );
  }
}

/** GETs `path` (with its query) and parses the JSON; lists come back as arrays from either. */
export async function getJSON<T>(endpoint: Endpoint, path: string, g: GlobalOptions): Promise<T> {
  const timeoutMs = g.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (endpoint.mode === 'agent') {
    verboseLog(g, `GET ${path} from the antrea-agent at ${endpoint.socket}`);
    return agentGet<T>(endpoint.socket, path, timeoutMs);
  }
  const url = `${endpoint.url}${path}`;
  verboseLog(g, `GET ${url}`);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const why = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : e;
    throw new Error(`antrea-controller at ${endpoint.url} is not reachable: ${String(why)}`);
  }
  const body = (await res.json()) as { items?: unknown; message?: string };
  if (!res.ok) throw new Error(`antrea-controller: GET ${path}: ${body.message ?? res.status}`);
  return (body.items ?? body) as T;
}
