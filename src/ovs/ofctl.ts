// OpenFlow through ovs-ofctl (always OpenFlow 1.5). Flow changes go as ONE atomic bundle: one
// `ovs-ofctl --bundle add-flows TARGET -` whose stdin holds a line per change (`add …`,
// `modify_strict …`, `delete_strict …`); OVS commits all of them or none. One process per
// change would cost ≈ 30 ms each, a bundle of 100,000 flows ≈ 1.5 s. With group changes the
// bundle goes through `ovs-ofctl bundle` (flow and group mods in one transaction).
import { ExecError, run } from '../util/exec.js';
import type { DumpedFlow, Flow } from './flow.js';
import { formatFlow, formatFlowKey, parseDumpedFlow } from './flowtext.js';
import { formatGroup, type GroupChange } from './group.js';

export type FlowChange =
  { op: 'add'; flow: Flow } | { op: 'modify'; flow: Flow } | { op: 'delete'; flow: Flow };

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

function changeLine(change: FlowChange): string {
  switch (change.op) {
    case 'add':
      return `add ${formatFlow(change.flow)}`;
    case 'modify':
      return `modify_strict ${formatFlow(change.flow)}`;
    case 'delete':
      return `delete_strict ${formatFlowKey(change.flow)}`;
    default: {
      const never: never = change;
      throw new Error(`unknown flow change ${JSON.stringify(never)}`);
    }
  }
}

/** One line of an `ovs-ofctl bundle` file. */
function groupLine(change: GroupChange): string {
  return change.op === 'put'
    ? `group add_or_mod ${formatGroup(change.group)}`
    : `group delete group_id=${change.id}`;
}

export class Ofctl {
  private readonly target: string;
  private readonly netns: string | undefined;
  private readonly env: Record<string, string> | undefined;

  /**
   * `target`: `unix:DIR/BRIDGE.mgmt` (see OvsDaemons.mgmtSocket) or a bridge name, whose socket
   * ovs-ofctl looks for in `rundir` (default /var/run/openvswitch).
   */
  constructor(opts: { target: string; netns?: string; rundir?: string }) {
    this.target = opts.target;
    this.netns = opts.netns;
    this.env = opts.rundir === undefined ? undefined : { OVS_RUNDIR: opts.rundir };
  }

  private ofctl(args: readonly string[], input?: string): Promise<string> {
    return run('ovs-ofctl', ['-O', 'OpenFlow15', ...args], {
      netns: this.netns,
      input,
      env: this.env,
    });
  }

  /**
   * Applies all changes atomically (all or nothing); empty lists do nothing. Groups put come
   * first, so new flows can use them. Groups deleted go in a second bundle once the flows that
   * used them are gone: OVS 3.1 aborts (an assertion) when it rolls back a bundle that deleted a
   * group, and a flow still pointing at a deleted group would be deleted with it.
   */
  async applyBundle(
    changes: readonly FlowChange[],
    groups: readonly GroupChange[] = [],
  ): Promise<void> {
    if (groups.length === 0) {
      if (changes.length === 0) return;
      await this.bundle(['--bundle', 'add-flows'], changes.map(changeLine), changes);
      return;
    }
    const puts = groups.filter((g) => g.op === 'put');
    const lines = [...puts.map(groupLine), ...changes.map((c) => `flow ${changeLine(c)}`)];
    if (lines.length > 0) {
      await this.bundle(['bundle'], lines, [...puts.map(() => undefined), ...changes]);
    }
    const deletes = groups.filter((g) => g.op === 'delete');
    if (deletes.length > 0) await this.bundle(['bundle'], deletes.map(groupLine), []);
  }

  /** Sends `lines` as one bundle; `changes[i]` is the flow change of line i + 1, if any. */
  private async bundle(
    command: readonly string[],
    lines: readonly string[],
    changes: readonly (FlowChange | undefined)[],
  ): Promise<void> {
    try {
      await this.ofctl([...command, this.target, '-'], lines.join('\n') + '\n');
    } catch (e) {
      if (!(e instanceof ExecError)) throw e;
      // ovs-ofctl names a line it cannot parse as `-:LINE: reason`.
      const line = /^ovs-ofctl: -:(\d+):/m.exec(e.stderr)?.[1];
      throw new BundleError(line === undefined ? undefined : changes[Number(line) - 1], e.stderr);
    }
  }

  /**
   * The flows, parsed. Ports print as ofport numbers unless `names` (then `in_port="nginx-de-…"`,
   * as Antrea's antctl shows them).
   */
  async dumpFlows(
    opts: { table?: number; match?: string; names?: boolean } = {},
  ): Promise<DumpedFlow[]> {
    const filter = [
      ...(opts.table === undefined ? [] : [`table=${opts.table}`]),
      ...(opts.match === undefined || opts.match === '' ? [] : [opts.match]),
    ].join(',');
    const out = await this.ofctl([
      opts.names ? '--names' : '--no-names',
      'dump-flows',
      this.target,
      ...(filter === '' ? [] : [filter]),
    ]);
    // Flow lines start with a space; the others are reply headers (one per multipart reply).
    return out
      .split('\n')
      .filter((line) => line.startsWith(' '))
      .map(parseDumpedFlow);
  }

  /** `ovs-ofctl dump-flows` output as printed (ofport numbers), headers included. */
  dumpFlowsRaw(opts: { table?: number } = {}): Promise<string> {
    return this.ofctl([
      '--no-names',
      'dump-flows',
      this.target,
      ...(opts.table === undefined ? [] : [`table=${opts.table}`]),
    ]);
  }

  /** `spec` in ovs-ofctl syntax: `group_id=1,type=select,bucket=bucket_id:0,actions=…`. */
  async addGroup(spec: string): Promise<void> {
    await this.ofctl(['add-group', this.target, spec]);
  }

  async modGroup(spec: string): Promise<void> {
    await this.ofctl(['mod-group', this.target, spec]);
  }

  /** Deleting a group that does not exist succeeds. */
  async delGroup(groupId: number): Promise<void> {
    await this.ofctl(['del-groups', this.target, `group_id=${groupId}`]);
  }

  /** `ovs-ofctl dump-groups` output as printed (ofport numbers). */
  dumpGroups(): Promise<string> {
    return this.ofctl(['--no-names', 'dump-groups', this.target]);
  }
}
