// `pods/exec` over WebSocket with the v5.channel.k8s.io / v4.channel.k8s.io protocols: every
// binary message starts with its channel (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize; v5
// adds 255 = "close channel N" from the client). The exit comes on channel 3 as a Status:
// Success, or NonZeroExitCode with the code in details.causes, which kubectl turns into its own
// exit code. The command runs through the PodRuntime.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Pod } from '../../../apis/core.js';
import { ApiError, asApiError, badRequest } from '../errors.js';
import type { ExecProcess, PodRuntime, TerminalSize } from '../runtime.js';
import { podContainer } from './podContainer.js';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

const flag = (q: URLSearchParams, k: string): boolean => q.get(k) === 'true' || q.get(k) === '1';

function exitStatus(command: readonly string[], code: number): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** An error before the upgrade goes back as a plain HTTP response with a Status body. */
export function rejectUpgrade(socket: Duplex, err: unknown): void {
  const status = asApiError(err).toStatus();
  const body = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${status.reason ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export interface ExecTarget {
  readonly pod: Pod;
  readonly query: URLSearchParams;
  readonly runtime: PodRuntime | undefined;
}

/** Serves exec upgrades; owns the (server-less) WebSocket endpoint. */
export class ExecEndpoint {
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });

  /** Validates the request, then upgrades and runs the command. */
  serve(t: ExecTarget, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const container = podContainer(t.pod, t.query.get('container') ?? '');
    const command = t.query.getAll('command');
    if (command.length === 0) throw badRequest('you must specify at least 1 command');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim());
    if (!EXEC_PROTOCOLS.some((p) => offered.includes(p))) {
      throw badRequest(
        `unable to upgrade connection: none of the subprotocols ${EXEC_PROTOCOLS.join(', ')} was offered`,
      );
    }
    const runtime = t.runtime;
    if (!runtime)
      throw new ApiError(503, 'ServiceUnavailable', 'no pod runtime serves exec on this server');
    const opts = {
      stdin: flag(t.query, 'stdin'),
      stdout: flag(t.query, 'stdout'),
      stderr: flag(t.query, 'stderr'),
      tty: flag(t.query, 'tty'),
    };
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const start = (size: TerminalSize | undefined): Promise<ExecProcess> =>
        runtime.exec(t.pod, container, command, {
          ...opts,
          ...(size ? { initialSize: size } : {}),
        });
      new ExecSession(ws, start, command, opts.tty);
    });
  }

  /** Ends every exec session (their commands are killed as their sockets close). */
  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}

function send(ws: WebSocket, channel: number, data: Buffer): void {
  if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
}

function finish(ws: WebSocket, status: object): void {
  send(ws, ERROR, Buffer.from(JSON.stringify(status)));
  ws.close(1000);
}

function drained(stream: NodeJS.ReadableStream | undefined): Promise<void> {
  return stream
    ? new Promise((resolve) => stream.once('end', resolve).once('error', resolve))
    : Promise.resolve();
}

function parseSize(payload: Buffer): TerminalSize | undefined {
  try {
    const size = JSON.parse(payload.toString()) as { Width?: number; Height?: number };
    return { width: size.Width ?? 0, height: size.Height ?? 0 };
  } catch {
    return undefined; // a malformed resize is ignored, as kube does
  }
}

/** How long a TTY session waits for the client's terminal size before starting without it. */
const SIZE_WAIT_MS = 250;

/**
 * One exec stream. Client messages wait in a queue until the command runs; with a TTY the
 * command starts once the client's first terminal size arrives (kubectl sends it at once),
 * so the terminal begins at the right size.
 */
class ExecSession {
  private proc: ExecProcess | undefined;
  private started = false;
  private exited = false;
  private closed = false;
  private readonly queue: Buffer[] = [];

  constructor(
    private readonly ws: WebSocket,
    private readonly start: (size: TerminalSize | undefined) => Promise<ExecProcess>,
    private readonly command: readonly string[],
    tty: boolean,
  ) {
    ws.on('message', (data: Buffer) => this.onMessage(data));
    ws.on('close', () => {
      this.closed = true;
      if (!this.exited) this.proc?.kill();
    });
    if (tty) setTimeout(() => this.run(undefined), SIZE_WAIT_MS);
    else this.run(undefined);
  }

  private onMessage(msg: Buffer): void {
    if (msg.length === 0) return;
    if (this.proc) return this.handle(this.proc, msg);
    if (!this.started && msg[0] === RESIZE) this.run(parseSize(msg.subarray(1)));
    else this.queue.push(msg);
  }

  private handle(proc: ExecProcess, msg: Buffer): void {
    const payload = msg.subarray(1);
    switch (msg[0]) {
      case STDIN:
        proc.stdin?.write(payload);
        break;
      case RESIZE: {
        const size = parseSize(payload);
        if (size) proc.resize(size);
        break;
      }
      case CLOSE:
        if (payload[0] === STDIN) proc.stdin?.end();
        break;
      default:
        break;
    }
  }

  private run(size: TerminalSize | undefined): void {
    if (this.started) return;
    this.started = true;
    this.start(size).then(
      (proc) => this.relay(proc),
      (err: unknown) => finish(this.ws, asApiError(err).toStatus()),
    );
  }

  private relay(proc: ExecProcess): void {
    this.proc = proc;
    if (this.closed) return proc.kill();
    proc.stdout?.on('data', (d: Buffer) => send(this.ws, STDOUT, d));
    proc.stderr?.on('data', (d: Buffer) => send(this.ws, STDERR, d));
    proc.stdin?.on('error', () => undefined); // the command may exit before reading its input
    for (const msg of this.queue.splice(0)) this.handle(proc, msg);
    Promise.all([proc.exitCode, drained(proc.stdout), drained(proc.stderr)]).then(
      ([code]) => {
        this.exited = true;
        finish(this.ws, exitStatus(this.command, code));
      },
      (err: unknown) => {
        this.exited = true;
        finish(this.ws, asApiError(err).toStatus());
      },
    );
  }
}
