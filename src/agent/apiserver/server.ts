// The agent's local HTTP API, on a unix socket (only root on the node reaches it, like Antrea's
// loopback-bound agent API). GET routes answer JSON; other components of the agent add their
// own routes (route()) before or after listen().
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeUnix, listenUnix } from './listen.js';

/** Answers a GET with a JSON-serialisable value; an HttpError sets the status. */
export type RouteHandler = (query: URLSearchParams) => unknown | Promise<unknown>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class AgentApiServer {
  private readonly routes = new Map<string, RouteHandler>();
  private readonly server: Server;
  private path: string | undefined;

  constructor() {
    this.server = createServer((req, res) => void this.serve(req, res));
    this.route('/healthz', () => 'ok');
  }

  route(path: string, handler: RouteHandler): this {
    this.routes.set(path, handler);
    return this;
  }

  async listen(path: string): Promise<void> {
    await listenUnix(this.server, path);
    this.path = path;
  }

  async close(): Promise<void> {
    if (this.path !== undefined) await closeUnix(this.server, this.path);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown): void => {
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify(body) + '\n');
    };
    const url = new URL(req.url ?? '/', 'http://agent');
    const handler = this.routes.get(url.pathname);
    if (handler === undefined)
      return send(404, { error: `no route ${url.pathname}`, routes: [...this.routes.keys()] });
    if (req.method !== 'GET')
      return send(405, { error: `${req.method} ${url.pathname}: only GET` });
    try {
      send(200, await handler(url.searchParams));
    } catch (e) {
      send(e instanceof HttpError ? e.status : 500, {
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }
}
