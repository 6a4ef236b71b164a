// OpenFlow through ovs-ofctl (always OpenFlow 1.5). Flow changes go as ONE atomic bundle: one
// `ovs-ofctl --bundle add-flows TARGET -` whose stdin holds a line per change (see FlowBundle);
// OVS commits all of them or none. One process per change would cost ≈ 30 ms each, a bundle of
// 100,000 flows ≈ 1.5 s. The next flow bundle's process is started (and left waiting) shortly
// after a bundle opens, so a small update does not wait for a process start; a waiting shell starts
// them (util/launcher.ts), not Node, whose every spawn would block it. With group changes
// the bundle goes through `ovs-ofctl bundle` (flow and group mods in one transaction).
import { ExecError, run } from '../util/exec.js';
import type { DumpedFlow } from './flow.js';
import { bundleError, changeLine, FlowBundle, type FlowChange } from './flowbundle.js';
import { parseDumpedFlow } from './flowtext.js';
import { formatGroup, type GroupChange } from './group.js';
import { OfctlProcess } from './ofctlprocess.js';
import { ProcessLauncher } from '../util/launcher.js';

export { BundleError, type FlowChange } from './flowbundle.js';

/** One line of an `ovs-ofctl bundle` file. */
function groupLine(change: GroupChange): string {
  return change.op === 'put'
    ? `group add_or_mod ${formatGroup(change.group)}`
    : `group delete group_id=${change.id}`;
}

/** How long after a bundle opens the next one's process starts (see prepareSpare). */
const SPARE_DELAY_MS = 60;

export class Ofctl {
  private readonly target: string;
  private readonly netns: string | undefined;
  private readonly env: Record<string, string> | undefined;
  /** A started `--bundle add-flows` process waiting for the next bundle, if any. */
  private spare: OfctlProcess | undefined;
  /** The pending start of `spare`, if scheduled. */
  private spareStart: NodeJS.Timeout | undefined;
  private closed = false;
  /** Starts the bundle processes (without a Node spawn each). */
  private readonly launcher: ProcessLauncher;

  /**
   * `target`: `unix:DIR/BRIDGE.mgmt` (see OvsDaemons.mgmtSocket) or a bridge name, whose socket
   * ovs-ofctl looks for in `rundir` (default /var/run/openvswitch).
   */
  constructor(opts: { target: string; netns?: string; rundir?: string }) {
    this.target = opts.target;
    this.netns = opts.netns;
    this.env = opts.rundir === undefined ? undefined : { OVS_RUNDIR: opts.rundir };
    this.launcher = new ProcessLauncher({ netns: this.netns, env: this.env });
  }

  private ofctl(args: readonly string[], input?: string): Promise<string> {
    return run('ovs-ofctl', ['-O', 'OpenFlow15', ...args], {
      netns: this.netns,
      input,
      env: this.env,
    });
  }

  /**
   * Opens a flow bundle: changes added to it reach ovs-ofctl as they come, OVS applies them on
   * commit (all or none); cancel it to apply nothing.
   */
  openFlowBundle(): FlowBundle {
    let proc = this.spare;
    this.spare = undefined;
    if (proc === undefined || !proc.alive) proc = this.startFlowBundleProcess();
    proc.hold(true);
    this.prepareSpare();
    return new FlowBundle(proc);
  }

  /** Stops the waiting process and any bundle still running (by pid); later bundles start their own. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.spareStart);
    const spare = this.spare;
    this.spare = undefined;
    await spare?.cancel();
    this.launcher.close();
  }

  private startFlowBundleProcess(): OfctlProcess {
    // --no-names: our flows name ports by number; otherwise ovs-ofctl would connect at start
    // (to read port names) and a process kept waiting could find its connection gone.
    const args = ['-O', 'OpenFlow15', '--no-names', '--bundle', 'add-flows', this.target, '-'];
    return new OfctlProcess(args, this.launcher, this.netns);
  }

  /**
   * Starts the next bundle's process a little after this bundle opened: ovs-ofctl's start costs
   * 12-15 ms of CPU here, and started at once it competed with the rest of the update this
   * bundle belongs to (a CNI ADD's veth setup: agent side 69-84 → 52-57 ms, runtime-timed p50
   * 164-209 → 161-181 ms over 7 alternating runs). An update that comes sooner starts its own
   * process, as the first one does (back-to-back policy updates: 38.7 → 35.6 ms, no worse).
   */
  private prepareSpare(): void {
    if (this.spareStart !== undefined || this.closed) return;
    this.spareStart = setTimeout(() => {
      this.spareStart = undefined;
      if (this.closed || this.spare?.alive) return;
      this.spare = this.startFlowBundleProcess();
      // Waiting for a bundle must not keep Node running; at exit it reads an empty input.
      this.spare.hold(false);
    }, SPARE_DELAY_MS).unref();
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
      const bundle = this.openFlowBundle();
      for (const c of changes) bundle.add(c);
      await bundle.commit();
      return;
    }
    const puts = groups.filter((g) => g.op === 'put');
    const lines = [...puts.map(groupLine), ...changes.map((c) => `flow ${changeLine(c)}`)];
    if (lines.length > 0) await this.bundle(lines, [...puts.map(() => undefined), ...changes]);
    const deletes = groups.filter((g) => g.op === 'delete');
    if (deletes.length > 0) await this.bundle(deletes.map(groupLine), []);
  }

  /** Sends `lines` as one `ovs-ofctl bundle`; `changes[i]` is the flow change of line i + 1. */
  private async bundle(
    lines: readonly string[],
    changes: readonly (FlowChange | undefined)[],
  ): Promise<void> {
    try {
      await this.ofctl(['bundle', this.target, '-'], lines.join('\n') + '\n');
    } catch (e) {
      throw e instanceof ExecError ? bundleError(e, changes) : e;
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
