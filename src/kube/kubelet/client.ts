// The API server's PodRuntime for the local cluster: exec and logs of a pod go to the kubelet of
// `pod.spec.nodeName`, over its runtime socket (protocol in server.ts).
//
//   server.setPodRuntime(new KubeletClient((node) => `.antrea/nodes/${node}/kubelet/kubelet.sock`));
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough, Writable, type Readable } from 'node:stream';
import type { Pod } from '../../apis/core.js';
import { ApiError } from '../apiserver/errors.js';
import type {
  ExecOptions,
  ExecProcess,
  LogOptions,
  PodRuntime,
  TerminalSize,
} from '../apiserver/runtime.js';
import { Channel, encodeFrame, onFrames } from './frames.js';
import { EXEC_UPGRADE } from './server.js';

const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  404: 'NotFound',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

function apiError(code: number, message: string): ApiError {
  return new ApiError(code, REASONS[code] ?? 'InternalError', message);
}

/** A refused request: the kubelet's {"message"} body as an ApiError with its status code. */
async function refusal(res: IncomingMessage): Promise<ApiError> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString();
  let message = body;
  try {
    message = (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    // not JSON: the text is the message
  }
  return apiError(res.statusCode ?? 500, message);
}

/** The options' booleans and numbers as query parameters. */
function optionParams(opts: object): [string, string][] {
  return Object.entries(opts).flatMap(([k, v]) =>
    typeof v === 'boolean' ? [[k, String(v)]] : typeof v === 'number' ? [[k, String(v)]] : [],
  );
}

export class KubeletClient implements PodRuntime {
  constructor(private readonly socketFor: (nodeName: string) => string) {}

  async exec(
    pod: Pod,
    container: string,
    command: readonly string[],
    opts: ExecOptions,
  ): Promise<ExecProcess> {
    const params: [string, string][] = [
      ...this.target(pod, container),
      ...command.map((c): [string, string] => ['command', c]),
      ...optionParams(opts),
    ];
    const req = this.request(pod, '/exec', params, {
      Connection: 'Upgrade',
      Upgrade: EXEC_UPGRADE,
    });
    return await new Promise((resolve, reject) => {
      req.once('error', (e) => reject(this.unreachable(pod, e)));
      req.once('response', (res) => void refusal(res).then(reject, reject));
      req.once('upgrade', (_res, socket: Socket, head: Buffer) => {
        resolve(session(socket, head, opts));
      });
      req.end();
    });
  }

  async logs(
    pod: Pod,
    container: string,
    opts: LogOptions,
    signal: AbortSignal,
  ): Promise<Readable> {
    const params = [...this.target(pod, container), ...optionParams(opts)];
    const req = this.request(pod, '/logs', params, {}, signal);
    return await new Promise((resolve, reject) => {
      req.once('error', (e) => reject(this.unreachable(pod, e)));
      req.once('response', (res) => {
        if (res.statusCode === 200) resolve(res);
        else void refusal(res).then(reject, reject);
      });
      req.end();
    });
  }

  private target(pod: Pod, container: string): [string, string][] {
    return [
      ['uid', pod.metadata.uid ?? ''],
      ['container', container],
    ];
  }

  private request(
    pod: Pod,
    path: string,
    params: [string, string][],
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): ClientRequest {
    const node = pod.spec?.nodeName;
    if (!node) throw apiError(400, `pod ${pod.metadata.name ?? ''} does not have a host assigned`);
    return request({
      socketPath: this.socketFor(node),
      path: `${path}?${new URLSearchParams(params).toString()}`,
      method: 'GET',
      headers,
      ...(signal ? { signal } : {}),
    });
  }

  private unreachable(pod: Pod, e: Error): Error {
    if (e.name === 'AbortError') return e;
    return apiError(
      503,
      `the kubelet of node ${pod.spec?.nodeName ?? ''} is not reachable: ${e.message}`,
    );
  }
}

/** The client end of an exec session: streams in and out of the frames on `socket`. */
function session(socket: Socket, head: Buffer, opts: ExecOptions): ExecProcess {
  const send = (channel: (typeof Channel)[keyof typeof Channel], payload?: Buffer): void => {
    if (!socket.destroyed) socket.write(encodeFrame(channel, payload));
  };
  const stdout = opts.stdout || opts.tty ? new PassThrough() : undefined;
  const stderr = opts.stderr && !opts.tty ? new PassThrough() : undefined;
  const stdin = opts.stdin
    ? new Writable({
        write(chunk: Buffer, _enc, cb) {
          send(Channel.Stdin, chunk);
          cb();
        },
        final(cb) {
          send(Channel.CloseStdin);
          cb();
        },
      })
    : undefined;
  const exitCode = new Promise<number>((resolve, reject) => {
    onFrames(socket, (channel, payload) => {
      if (channel === Channel.Stdout) stdout?.write(payload);
      else if (channel === Channel.Stderr) stderr?.write(payload);
      else if (channel === Channel.Exit) {
        stdout?.end();
        stderr?.end();
        const exit = JSON.parse(payload.toString()) as { exitCode?: number; error?: string };
        if (exit.exitCode !== undefined) resolve(exit.exitCode);
        else reject(apiError(500, exit.error ?? 'exec failed'));
      }
    });
    socket.once('close', () => {
      stdout?.end();
      stderr?.end();
      reject(apiError(500, 'the connection to the kubelet closed before the command exited'));
    });
  });
  socket.on('error', () => socket.destroy());
  if (head.length > 0) socket.unshift(head);
  return {
    stdin,
    stdout,
    stderr,
    exitCode,
    resize: (size: TerminalSize) => send(Channel.Resize, Buffer.from(JSON.stringify(size))),
    kill: () => {
      send(Channel.Kill);
      socket.end();
    },
  };
}
