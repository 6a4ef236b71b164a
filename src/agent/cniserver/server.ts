// The agent's CNI server: the plugin connects to a unix socket, sends one JSON line with the CNI
// environment and stdin as it received them, and gets one JSON line back — a result or the
// spec's error object. The inputs are parsed here with the plugin's own parser, so the agent
// never trusts a plugin of another version to have checked them.
import { createServer, type Server, type Socket } from 'node:net';
import { configVersion, parseRequest } from '../../cni/request.cjs';
import {
  CniError,
  ErrorCode,
  LATEST_VERSION,
  type CniServerRequest,
  type CniServerResponse,
} from '../../cni/spec.cjs';
import { closeUnix, listenUnix } from '../apiserver/listen.js';
import type { PodNetwork } from './pods.js';

/** A request is a few KB; anything far larger is not from our plugin. */
const MAX_REQUEST_BYTES = 1 << 20;

export class CniServer {
  private readonly server: Server;
  private path: string | undefined;

  constructor(
    private readonly pods: PodNetwork,
    private readonly log: (msg: string) => void = () => undefined,
  ) {
    this.server = createServer((sock) => this.serve(sock));
  }

  async listen(path: string): Promise<void> {
    await listenUnix(this.server, path);
    this.path = path;
  }

  async close(): Promise<void> {
    if (this.path !== undefined) await closeUnix(this.server, this.path);
  }

  /** One request, already read off the socket. */
  async handle(request: CniServerRequest): Promise<CniServerResponse> {
    const version = configVersion(request.stdin) ?? LATEST_VERSION;
    const started = Date.now();
    let what = 'request';
    try {
      const req = parseRequest(request.env, request.stdin);
      what =
        req.command === 'ADD' || req.command === 'DEL' || req.command === 'CHECK'
          ? `${req.command} ${req.containerId}`
          : req.command;
      switch (req.command) {
        case 'ADD': {
          const result = await this.pods.add(req);
          const ips = (result.ips ?? []).map((i) => i.address).join(',');
          this.log(
            `${what} pod ${req.pod.namespace}/${req.pod.name}: ${ips} in ${Date.now() - started} ms`,
          );
          return { result };
        }
        case 'DEL':
          await this.pods.del(req);
          break;
        case 'CHECK':
          await this.pods.check(req);
          break;
        case 'GC':
          await this.pods.gc(req);
          break;
        case 'STATUS':
        case 'VERSION':
          break;
        default: {
          const never: never = req;
          throw new Error(`unhandled command ${JSON.stringify(never)}`);
        }
      }
      this.log(`${what}: ok in ${Date.now() - started} ms`);
      return { result: {} };
    } catch (e) {
      const err =
        e instanceof CniError
          ? e
          : new CniError(ErrorCode.Internal, 'antrea-agent internal error', String(e));
      this.log(`${what}: error ${err.code} ${err.message}${err.details ? `: ${err.details}` : ''}`);
      return { error: err.toObject(version) };
    }
  }

  private serve(sock: Socket): void {
    let data = '';
    const reply = (response: CniServerResponse): void => {
      sock.end(JSON.stringify(response) + '\n');
    };
    const fail = (code: number, msg: string, details?: string): void =>
      reply({ error: new CniError(code, msg, details).toObject(LATEST_VERSION) });
    sock.on('error', () => undefined); // the plugin went away; nothing to answer
    sock.on('data', (b: Buffer) => {
      data += b.toString('utf8');
      if (data.length > MAX_REQUEST_BYTES) {
        sock.removeAllListeners('data');
        fail(ErrorCode.DecodingFailure, 'CNI request too large');
        return;
      }
      const nl = data.indexOf('\n');
      if (nl < 0) return;
      sock.removeAllListeners('data');
      let request: CniServerRequest;
      try {
        request = JSON.parse(data.slice(0, nl)) as CniServerRequest;
        if (
          typeof request.stdin !== 'string' ||
          typeof request.env !== 'object' ||
          request.env === null
        ) {
          throw new Error('want {"env": {…}, "stdin": "…"}');
        }
      } catch (e) {
        fail(
          ErrorCode.DecodingFailure,
          'malformed CNI request from the plugin',
          (e as Error).message,
        );
        return;
      }
      void this.handle(request).then(reply);
    });
  }
}
