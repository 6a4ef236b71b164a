// The kubelet's runtime API, on the unix socket STATE/kubelet.sock, for the API server's exec and
// logs (through client.ts). HTTP/1.1; pods are named by uid; errors are a status code with a
// JSON body {"message": "…"}.
//
//   GET /logs?uid=U&container=C[&follow=true][&tailLines=N][&previous=true]
//       200 text/plain: the log, streamed on while `follow` (until the instance ends or the
//       client closes the connection).
//   GET /exec?uid=U&container=C&command=ARG0&command=ARG1…&stdin=B&stdout=B&stderr=B&tty=B
//       with `Connection: Upgrade` and `Upgrade: kubelet-exec`: once the command has started,
//       `101 Switching Protocols`, then length-prefixed frames both ways (frames.ts): stdin,
//       close-stdin, resize and kill from the client; stdout, stderr and finally the exit code
//       from the kubelet, which then closes the connection. Closing it early kills the command.
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { killExec, RuntimeError, spawnExec, type ExecTarget } from './exec.js';
import { Channel, encodeFrame, onFrames } from './frames.js';
import { readLog } from './logs.js';
import { signalExitCode } from './process.js';

export const EXEC_UPGRADE = 'kubelet-exec';

export interface LogSource {
  readonly path: string;
  /** Whether the instance writing the file still runs (following ends once it does not). */
  live(): boolean;
}

/** What the server needs from the kubelet; both throw RuntimeError for unknown pods etc. */
export interface RuntimeBackend {
  execTarget(uid: string, container: string): ExecTarget;
  logSource(uid: string, container: string, previous: boolean): LogSource;
}

const flag = (q: URLSearchParams, key: string): boolean => q.get(key) === 'true';

function required(q: URLSearchParams, key: string): string {
  const v = q.get(key);
  if (!v) throw new RuntimeError(400, `missing query parameter ${key}`);
  return v;
}

function errorStatus(e: unknown): { status: number; body: string } {
  const status = e instanceof RuntimeError ? e.status : 500;
  return { status, body: JSON.stringify({ message: (e as Error).message ?? String(e) }) };
}

export class RuntimeServer {
  private readonly sockets = new Set<Socket | Duplex>();
  private readonly server: Server;

  constructor(
    readonly socketPath: string,
    private readonly backend: RuntimeBackend,
  ) {
    this.server = createServer((req, res) => this.serveLogs(req, res));
    this.server.on('connection', (s: Socket) => this.track(s));
    this.server.on('upgrade', (req: IncomingMessage, s: Duplex, head: Buffer) =>
      this.serveExec(req, s, head),
    );
  }

  async listen(): Promise<void> {
    rmSync(this.socketPath, { force: true }); // left by a kubelet that did not stop cleanly
    this.server.listen(this.socketPath);
    await once(this.server, 'listening');
  }

  async close(): Promise<void> {
    const closed = new Promise((r) => this.server.close(r));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private track(s: Socket | Duplex): void {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }

  private serveLogs(req: IncomingMessage, res: ServerResponse): void {
    try {
      const url = new URL(req.url ?? '/', 'http://kubelet');
      if (url.pathname !== '/logs') throw new RuntimeError(404, `no such path ${url.pathname}`);
      const q = url.searchParams;
      const source = this.backend.logSource(
        required(q, 'uid'),
        required(q, 'container'),
        flag(q, 'previous'),
      );
      const tail = q.get('tailLines');
      const abort = new AbortController();
      res.once('close', () => abort.abort());
      const stream = readLog(source.path, {
        follow: flag(q, 'follow'),
        ...(tail !== null ? { tailLines: Number(tail) } : {}),
        live: () => source.live(),
        signal: abort.signal,
      });
      stream.once('error', (e) => {
        if (!res.headersSent) this.fail(res, e);
        else res.destroy();
      });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      stream.pipe(res);
    } catch (e) {
      this.fail(res, e);
    }
  }

  private fail(res: ServerResponse, e: unknown): void {
    const { status, body } = errorStatus(e);
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
  }

  private serveExec(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.track(socket);
    socket.on('error', () => socket.destroy());
    const refuse = (e: unknown): void => {
      const { status, body } = errorStatus(e);
      socket.end(
        `HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    try {
      const url = new URL(req.url ?? '/', 'http://kubelet');
      if (url.pathname !== '/exec' || req.headers.upgrade !== EXEC_UPGRADE) {
        throw new RuntimeError(400, `only ${EXEC_UPGRADE} upgrades of /exec are served`);
      }
      const q = url.searchParams;
      const target = this.backend.execTarget(required(q, 'uid'), required(q, 'container'));
      const command = q.getAll('command');
      if (command.length === 0) throw new RuntimeError(400, 'you must specify at least 1 command');
      const child = spawnExec(target, {
        command,
        stdin: flag(q, 'stdin'),
        stdout: flag(q, 'stdout'),
        stderr: flag(q, 'stderr'),
        tty: flag(q, 'tty'),
      });
      let started = false;
      child.once('error', (e) => {
        if (!started) refuse(e);
      });
      child.once('spawn', () => {
        started = true;
        socket.write(
          `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${EXEC_UPGRADE}\r\n\r\n`,
        );
        child.stdout?.on('data', (d: Buffer) => socket.write(encodeFrame(Channel.Stdout, d)));
        child.stderr?.on('data', (d: Buffer) => socket.write(encodeFrame(Channel.Stderr, d)));
        child.stdin?.on('error', () => undefined); // the command may exit before reading it all
        onFrames(socket, (channel, payload) => {
          if (channel === Channel.Stdin) child.stdin?.write(payload);
          else if (channel === Channel.CloseStdin) child.stdin?.end();
          else if (channel === Channel.Kill) killExec(child);
          // Resize: the TTY cannot follow (see exec.ts).
        });
        if (head.length > 0) socket.unshift(head);
        socket.once('close', () => killExec(child));
        child.once('close', (code, signal) => {
          const exitCode = code ?? signalExitCode(signal);
          socket.end(encodeFrame(Channel.Exit, Buffer.from(JSON.stringify({ exitCode }))));
        });
      });
    } catch (e) {
      refuse(e);
    }
  }
}
