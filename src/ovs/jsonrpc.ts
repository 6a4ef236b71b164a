// JSON-RPC 1.0 as ovsdb-server speaks it (RFC 7047 §4.1) over its unix socket: requests with a
// numeric id, responses matched by id, notifications (id null) such as monitor updates, and the
// server's `echo` probes, answered here. One long-lived connection replaces an `ovs-vsctl`
// process per call.
import { connect, type Socket } from 'node:net';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x7b, 0x5b]); // { [
const CLOSE = new Set([0x7d, 0x5d]); // } ]

/**
 * Cuts a stream of back-to-back JSON texts (OVSDB sends no delimiter) into whole texts, by
 * bracket depth outside strings; JSON.parse then does the parsing, much faster than a
 * character-event parser would.
 */
export class JsonSplitter {
  private buf = '';
  private scanned = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  push(chunk: string): string[] {
    this.buf += chunk;
    const texts: string[] = [];
    let start = 0;
    for (let i = this.scanned; i < this.buf.length; i++) {
      const c = this.buf.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
      } else if (c === QUOTE) {
        this.inString = true;
      } else if (OPEN.has(c)) {
        this.depth++;
      } else if (CLOSE.has(c) && --this.depth === 0) {
        texts.push(this.buf.slice(start, i + 1));
        start = i + 1;
      }
    }
    this.buf = this.buf.slice(start);
    this.scanned = this.buf.length;
    return texts;
  }
}

/** An error the server answered with (OVSDB's `{"error": "...", "details": "..."}`). */
export class JsonRpcError extends Error {
  constructor(
    readonly method: string,
    readonly error: unknown,
  ) {
    super(`${method}: ${typeof error === 'string' ? error : JSON.stringify(error)}`);
    this.name = 'JsonRpcError';
  }
}

interface Message {
  readonly id?: unknown;
  readonly method?: string;
  readonly params?: unknown;
  readonly result?: unknown;
  readonly error?: unknown;
}

interface Pending {
  readonly method: string;
  resolve(result: unknown): void;
  reject(e: Error): void;
}

export class JsonRpcConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedError: Error | undefined;
  private readonly closeListeners = new Set<(e: Error) => void>();

  private constructor(
    private readonly sock: Socket,
    /** Server-to-client notifications (e.g. OVSDB's `update`). */
    private readonly onNotification: (method: string, params: unknown) => void,
  ) {
    const splitter = new JsonSplitter();
    sock.setEncoding('utf8'); // a multi-byte character split across chunks stays whole
    sock.on('data', (chunk: string) => {
      for (const text of splitter.push(chunk)) this.dispatch(JSON.parse(text) as Message);
    });
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(
    path: string,
    onNotification: (method: string, params: unknown) => void,
  ): Promise<JsonRpcConnection> {
    return new Promise((resolve, reject) => {
      const sock = connect(path);
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.off('error', reject);
        resolve(new JsonRpcConnection(sock, onNotification));
      });
    });
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** Called once when the connection ends, for whatever reason. */
  onClose(listener: (e: Error) => void): void {
    this.closeListeners.add(listener);
  }

  request(method: string, params: readonly unknown[]): Promise<unknown> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      this.sock.write(JSON.stringify({ method, params, id }));
    });
  }

  /** Lets Node exit while this connection is idle (`false`), or keeps Node up for it. */
  hold(keepNodeAlive: boolean): void {
    if (keepNodeAlive) this.sock.ref();
    else this.sock.unref();
  }

  close(): void {
    this.sock.destroy();
  }

  private dispatch(msg: Message): void {
    if (msg.method === undefined) {
      const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
      if (p === undefined) return; // an answer to nothing we asked
      this.pending.delete(msg.id as number);
      if (msg.error !== null && msg.error !== undefined)
        p.reject(new JsonRpcError(p.method, msg.error));
      else p.resolve(msg.result);
    } else if (msg.id === null || msg.id === undefined) {
      this.onNotification(msg.method, msg.params);
    } else if (msg.method === 'echo') {
      // The server's inactivity probe: answering keeps the connection.
      this.sock.write(JSON.stringify({ result: msg.params, error: null, id: msg.id }));
    } else {
      this.sock.write(
        JSON.stringify({ result: null, error: `unknown method ${msg.method}`, id: msg.id }),
      );
    }
  }

  private fail(e: Error): void {
    if (this.closedError !== undefined) return;
    this.closedError = e;
    for (const p of this.pending.values()) p.reject(new Error(`${p.method}: ${e.message}`));
    this.pending.clear();
    for (const l of this.closeListeners) l(e);
  }
}
