// The server's side of a record feed process (feed.ts), started through `argv` (e.g. `ip netns
// exec HOST node feed.js …`). Until the feed's first `synced` its changes are collected apart;
// then they replace the whole table at once, so a feed restarted after a crash drops the names
// that vanished meanwhile while the old table keeps answering. A feed that exits is started
// again after a pause.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { FeedLine, RecordChange, RecordTable } from './records.js';

const RESTART_MS = 1000;

export class FeedProcess {
  private child: ChildProcess | undefined;
  private stopped = false;
  private firstSync: (() => void) | undefined;
  /** Resolves at the first feed's first `synced`. */
  readonly synced = new Promise<void>((resolve) => (this.firstSync = resolve));

  constructor(
    private readonly argv: readonly string[],
    private readonly table: RecordTable,
    private readonly log: (msg: string) => void,
  ) {}

  start(): void {
    const child = spawn(this.argv[0]!, this.argv.slice(1), {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.child = child;
    let pending: RecordChange[] | undefined = [];
    createInterface({ input: child.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as FeedLine;
      if ('synced' in line) {
        this.table.reset(pending ?? []);
        pending = undefined;
        this.firstSync?.();
        this.firstSync = undefined;
      } else if (pending !== undefined) pending.push(line);
      else this.table.apply(line);
    });
    child.once('error', (e) => this.log(`record feed: ${e.message}`));
    child.once('close', (code, signal) => {
      if (this.stopped) return;
      this.log(`record feed exited (${signal ?? code}); restarting in ${RESTART_MS} ms`);
      setTimeout(() => this.stopped || this.start(), RESTART_MS);
    });
  }

  /** Closing its stdin is what makes the feed exit; resolves once it has. */
  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const closed = new Promise((resolve) => child.once('close', resolve));
    child.stdin?.end();
    await closed;
  }
}
