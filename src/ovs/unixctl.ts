// A daemon's unixctl commands (what `ovs-appctl -t SOCKET CMD ARGS…` sends) over one long-lived
// connection: the socket speaks JSON-RPC 1.0, a command is a request with string parameters and
// its output is the string result. An ovs-appctl process costs ≈ 15 ms of CPU here, and its
// spawn blocks the caller's event loop as long again.
import { JsonRpcConnection } from './jsonrpc.js';

export class UnixctlClient {
  private conn: Promise<JsonRpcConnection> | undefined;
  private inFlight = 0;

  /** `socketPath`: the daemon's unixctl socket (e.g. OvsDaemons.vswitchdCtl). */
  constructor(private readonly socketPath: string) {}

  /** Runs the command; resolves with its output, rejects with the daemon's error text. */
  async call(command: string, ...args: string[]): Promise<string> {
    const conn = await this.connection();
    this.inFlight++;
    conn.hold(true);
    try {
      return String(await conn.request(command, args));
    } finally {
      // An idle connection must not keep Node running.
      if (--this.inFlight === 0) conn.hold(false);
    }
  }

  close(): void {
    void this.conn?.then((c) => c.close()).catch(() => undefined);
    this.conn = undefined;
  }

  /** The open connection, or a new one (after the daemon restarted, say). */
  private connection(): Promise<JsonRpcConnection> {
    if (this.conn !== undefined) return this.conn;
    const conn = JsonRpcConnection.connect(this.socketPath, () => undefined).then((c) => {
      c.onClose(() => {
        if (this.conn === conn) this.conn = undefined;
      });
      return c;
    });
    this.conn = conn;
    conn.catch(() => {
      if (this.conn === conn) this.conn = undefined;
    });
    return conn;
  }
}
