// One atomic bundle of flow changes on its way into `ovs-ofctl --bundle add-flows TARGET -`:
// a line per change (`add …`, `modify_strict …`, `delete_strict …`), written in chunks as the
// changes come, so ovs-ofctl parses them while the caller still produces more. OVS applies all
// of them or none when the bundle commits; a bundle cancelled before commit applies nothing.
import { ExecError } from '../util/exec.js';
import type { Flow } from './flow.js';
import { formatFlow, formatFlowKey } from './flowtext.js';
import type { OfctlProcess } from './ofctlprocess.js';

export interface FlowChange {
  readonly op: 'add' | 'modify' | 'delete';
  readonly flow: Flow;
  /**
   * The change's bundle line, when its producer holds flows as text (the agent's flow cache):
   * then `flow` may be parsed only on demand, and nothing is formatted on the way to OVS.
   */
  readonly line?: string;
}

/** A bundle that OVS rejected; nothing of it was applied. */
export class BundleError extends Error {
  constructor(
    /** The rejected change, when ovs-ofctl names its line (syntax errors do, switch errors don't). */
    readonly change: FlowChange | undefined,
    readonly stderr: string,
  ) {
    const what = change === undefined ? '' : ` at ${change.op} ${formatFlow(change.flow)}`;
    super(`OpenFlow bundle rejected, nothing applied${what}: ${stderr.trim()}`);
    this.name = 'BundleError';
  }
}

/** The BundleError of a failed ovs-ofctl; `changes[i]` is the flow change of line i + 1, if any. */
export function bundleError(
  e: ExecError,
  changes: readonly (FlowChange | undefined)[],
): BundleError {
  // ovs-ofctl names a line it cannot parse as `-:LINE: reason`.
  const line = /^ovs-ofctl: -:(\d+):/m.exec(e.stderr)?.[1];
  return new BundleError(line === undefined ? undefined : changes[Number(line) - 1], e.stderr);
}

export function changeLine(change: FlowChange): string {
  if (change.line !== undefined) return change.line;
  switch (change.op) {
    case 'add':
      return `add ${formatFlow(change.flow)}`;
    case 'modify':
      return `modify_strict ${formatFlow(change.flow)}`;
    case 'delete':
      return `delete_strict ${formatFlowKey(change.flow)}`;
    default: {
      const never: never = change.op;
      throw new Error(`unknown flow change ${String(never)}`);
    }
  }
}

/** Text is handed to ovs-ofctl in pieces of about this size (one pipe write each). */
const CHUNK_CHARS = 64 * 1024;

export class FlowBundle {
  /** Line i + 1 is changes[i] (for naming the line ovs-ofctl rejects). */
  private readonly changes: FlowChange[] = [];
  private pending = '';
  private done = false;

  constructor(private readonly process: OfctlProcess) {}

  add(change: FlowChange): void {
    if (this.done) throw new Error('flow bundle already committed or cancelled');
    this.changes.push(change);
    this.pending += `${changeLine(change)}\n`;
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  /** Sends what is left and commits; rejects with BundleError (nothing applied) if OVS refuses. */
  async commit(): Promise<void> {
    this.flush();
    this.done = true;
    try {
      await this.process.finish();
    } catch (e) {
      throw e instanceof ExecError ? bundleError(e, this.changes) : e;
    }
  }

  /** Drops the bundle: ovs-ofctl is stopped before it read the end, so OVS sees none of it. */
  async cancel(): Promise<void> {
    this.done = true;
    this.pending = '';
    await this.process.cancel();
  }

  private flush(): void {
    this.process.write(this.pending);
    this.pending = '';
  }
}
