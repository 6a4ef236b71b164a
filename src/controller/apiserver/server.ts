// The controlplane API that agents watch (like Antrea's controlplane.antrea.io apiserver): one
// stream per agent carrying only its node's span, a full state first (then SYNCED) so a
// reconnecting agent resyncs without flushing, then incremental events. Also plain lists for
// antctl in controller mode.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NetworkPolicyController } from '../networkpolicy/controller.js';
import type { ControlPlaneEvent } from '../networkpolicy/events.js';
import { NodeView, type WatchEvent } from './nodeview.js';

const HEARTBEAT_MS = 10_000;

interface Watcher {
  readonly view: NodeView;
  readonly res: ServerResponse;
}

export class ControlPlaneServer {
  private readonly server: Server;
  private readonly watchers = new Set<Watcher>();
  private readonly unsubscribe: () => void;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly controller: NetworkPolicyController) {
    this.server = createServer((req, res) => this.handle(req, res));
    this.unsubscribe = controller.subscribe((events) => this.broadcast(events));
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    this.heartbeat = setInterval(() => {
      for (const w of this.watchers) w.res.write('{"type":"BOOKMARK"}\n');
    }, HEARTBEAT_MS);
    return (this.server.address() as AddressInfo).port;
  }

  /** Agents connected now, by node. */
  connectedNodes(): string[] {
    return [...this.watchers].map((w) => w.view.node);
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const w of this.watchers) w.res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private broadcast(events: readonly ControlPlaneEvent[]): void {
    for (const w of this.watchers) write(w.res, w.view.update(events));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://controller');
    const node = url.searchParams.get('node') ?? undefined;
    if (req.method !== 'GET') return json(res, 405, { message: 'method not allowed' });
    switch (url.pathname) {
      case '/healthz':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      case '/watch': {
        if (!node) return json(res, 400, { message: 'query parameter node is required' });
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        const w: Watcher = { view: new NodeView(node, this.controller), res };
        write(res, w.view.initial());
        res.write('{"type":"SYNCED"}\n');
        this.watchers.add(w);
        req.on('close', () => this.watchers.delete(w));
        return;
      }
      case '/networkpolicies':
      case '/addressgroups':
      case '/appliedtogroups':
        return json(res, 200, { items: this.list(url.pathname, node) });
      default:
        return json(res, 404, { message: `no route ${url.pathname}` });
    }
  }

  private list(path: string, node: string | undefined): unknown[] {
    const kind =
      path === '/networkpolicies'
        ? 'NetworkPolicy'
        : path === '/addressgroups'
          ? 'AddressGroup'
          : 'AppliedToGroup';
    if (node) {
      return new NodeView(node, this.controller)
        .initial()
        .filter((e) => e.kind === kind)
        .map((e) => e.object);
    }
    const c = this.controller;
    if (kind === 'NetworkPolicy') return c.networkPolicyNames().map((n) => c.getNetworkPolicy(n));
    if (kind === 'AddressGroup')
      return c.groupNames('AddressGroup').map((n) => c.getAddressGroup(n));
    return c.groupNames('AppliedToGroup').map((n) => c.getAppliedToGroup(n));
  }
}

function write(res: ServerResponse, events: readonly WatchEvent[]): void {
  for (const e of events) res.write(`${JSON.stringify(e)}\n`);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
