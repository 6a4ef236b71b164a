// The embedded Kubernetes API server: HTTPS on 127.0.0.1 with a bearer token, discovery,
// the REST verbs, watch, exec and logs, over SQLite storage; plus the in-process garbage
// collector and namespace finalizer that kube runs beside its API server.
//
//   const server = await ApiServer.start({ dataDir: '.antrea/apiserver' });
//   server.writeKubeconfig('.antrea/kubeconfig');   // for kubectl and client-node
//   server.setPodRuntime(runtime);                  // exec and logs go there
//   await server.stop();
import { timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { validationPlugin, type AdmissionPlugin } from './admission.js';
import { bootstrap } from './bootstrap.js';
import { pathNotFound, unauthorized } from './errors.js';
import { GarbageCollector } from './gc.js';
import * as discovery from './http/discovery.js';
import { ExecEndpoint, rejectUpgrade } from './http/exec.js';
import { OPENAPI_V2_DOCUMENT, OPENAPI_V2_PROTOBUF } from './http/openapi.js';
import { parseResourcePath } from './http/requestInfo.js';
import { sendError, sendJson } from './http/respond.js';
import { execPod, resolve, serveResource, type RestContext } from './http/rest.js';
import { at, num } from './json.js';
import { kubeconfigYaml, writeKubeconfigFile } from './kubeconfig.js';
import { NamespaceLifecycle } from './namespaceLifecycle.js';
import { ensureCerts, ensureToken, type ServingCerts } from './pki.js';
import { Registry } from './registry.js';
import { findResource } from './resources.js';
import type { PodRuntime } from './runtime.js';
import { Storage } from './storage.js';
import { WatchHub } from './watchHub.js';

export interface ApiServerOptions {
  /** Holds the database, the certificates and the token; created if missing. */
  readonly dataDir: string;
  /** 0 (the default) picks a free port. The server listens on 127.0.0.1 only. */
  readonly port?: number;
  readonly podRuntime?: PodRuntime;
  /** Admission plugins run before the built-in validation (e.g. IP allocators). */
  readonly admission?: readonly AdmissionPlugin[];
  /** How often watches that allow bookmarks get one (kube: about a minute). */
  readonly bookmarkIntervalMs?: number;
  /** How many change events are kept for watches that resume from an older version. */
  readonly historySize?: number;
  /** Receives one line per request (method, path, status, ms). */
  readonly log?: (line: string) => void;
}

/** Paths anyone may read, as kube's system:public-info-viewer role allows. */
const PUBLIC_PATHS = /^\/(healthz|livez|readyz|version)(\/.*)?$/;

const TIERS = findResource('crd.antrea.io', 'v1beta1', 'tiers')!;

export class ApiServer {
  private runtime: PodRuntime | undefined;
  private readonly exec = new ExecEndpoint();
  private readonly gc: GarbageCollector;
  private readonly namespaces: NamespaceLifecycle;
  private readonly rest: RestContext;

  private constructor(
    readonly registry: Registry,
    private readonly storage: Storage,
    private readonly server: Server,
    private readonly certs: ServingCerts,
    readonly token: string,
    private readonly opts: ApiServerOptions,
  ) {
    this.runtime = opts.podRuntime;
    this.gc = new GarbageCollector(registry);
    this.namespaces = new NamespaceLifecycle(registry);
    this.rest = {
      registry,
      watch: { bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000 },
      runtime: () => this.runtime,
    };
  }

  static async start(opts: ApiServerOptions): Promise<ApiServer> {
    mkdirSync(opts.dataDir, { recursive: true });
    const certs = ensureCerts(join(opts.dataDir, 'pki'));
    const token = ensureToken(join(opts.dataDir, 'token'));
    const storage = new Storage(join(opts.dataDir, 'apiserver.db'), opts.historySize);
    const hub = new WatchHub();
    let registry: Registry | undefined;
    const tiers = () => registry!.storage.list('tiers.crd.antrea.io');
    registry = new Registry(storage, hub, [
      ...(opts.admission ?? []),
      validationPlugin({
        tierExists: (name) => registry!.find(TIERS, '', name) !== undefined,
        tierPriorityTaken: (priority, except) =>
          tiers().some(
            (t) => num(at(t, 'spec', 'priority'), -1) === priority && t.metadata.name !== except,
          ),
      }),
    ]);
    const server = createServer({ cert: certs.cert, key: certs.key });
    const api = new ApiServer(registry, storage, server, certs, token, opts);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void api.handle(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      api.upgrade(req, socket, head),
    );
    try {
      await new Promise<void>((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(opts.port ?? 0, '127.0.0.1', () => resolveListen());
      });
    } catch (err) {
      storage.close();
      throw err;
    }
    bootstrap(registry, api.port);
    api.gc.start();
    api.namespaces.start();
    return api;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** The PEM of the CA that signed the serving certificate. */
  get caCert(): string {
    return this.certs.caCert;
  }

  /** Where exec and logs go; the local cluster sets it once its nodes run. */
  setPodRuntime(runtime: PodRuntime | undefined): void {
    this.runtime = runtime;
  }

  /** A kubeconfig for this server (cluster-admin), as YAML. */
  kubeconfig(namespace?: string): string {
    return kubeconfigYaml({
      server: this.url,
      caCert: this.caCert,
      token: this.token,
      ...(namespace ? { namespace } : {}),
    });
  }

  writeKubeconfig(path: string): void {
    writeKubeconfigFile(path, { server: this.url, caCert: this.caCert, token: this.token });
  }

  async stop(): Promise<void> {
    this.gc.stop();
    this.namespaces.stop();
    this.exec.close();
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeAllConnections();
    await closed;
    this.storage.close();
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
    const want = Buffer.from(this.token);
    return given.length === want.length && timingSafeEqual(given, want);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    try {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      if (!PUBLIC_PATHS.test(url.pathname) && !this.authorized(req)) throw unauthorized();
      await this.route(req, res, url);
    } catch (err) {
      sendError(res, err);
    } finally {
      this.opts.log?.(
        `${req.method ?? ''} ${req.url ?? ''} ${res.statusCode} ${Date.now() - started}ms`,
      );
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (PUBLIC_PATHS.test(path)) {
      if (path === '/version') sendJson(res, 200, discovery.versionInfo());
      else {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
      }
      return;
    }
    switch (path) {
      case '/api':
        return sendJson(res, 200, discovery.apiVersions(`127.0.0.1:${this.port}`));
      case '/apis':
        return sendJson(res, 200, discovery.apiGroupList());
      case '/openapi/v2':
        res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF });
        res.end(OPENAPI_V2_DOCUMENT);
        return;
      default:
        break;
    }
    const groupOnly = /^\/apis\/([^/]+)$/.exec(path);
    if (groupOnly) {
      const group = discovery.apiGroupInfo(groupOnly[1]!);
      if (!group) throw pathNotFound();
      return sendJson(res, 200, group);
    }
    const gv = /^\/api\/(v1)$/.exec(path) ?? /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
    if (gv) {
      const [group, version] = gv[1]!.includes('/') ? gv[1]!.split('/') : ['', gv[1]!];
      const list = discovery.apiResourceList(group!, version!);
      if (!list) throw pathNotFound();
      return sendJson(res, 200, list);
    }
    const info = parseResourcePath(path);
    if (!info) throw pathNotFound();
    await serveResource(this.rest, resolve(info), req, res, url.searchParams);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    try {
      if (!this.authorized(req)) throw unauthorized();
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const info = parseResourcePath(url.pathname);
      if (!info) throw pathNotFound();
      const pod = execPod(this.rest, resolve(info));
      this.exec.serve({ pod, query: url.searchParams, runtime: this.runtime }, req, socket, head);
    } catch (err) {
      rejectUpgrade(socket, err);
    }
  }
}
