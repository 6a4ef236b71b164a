// The agent's OpenFlow client: owns the flow cache, and turns every change — the node's own
// flows, a pod, a remote node, a batch of policy rules — into ONE bundle of only the flows that
// differ. Updates run one at a time; if OVS rejects a bundle, the cache keeps the old state and
// the error goes to the caller, so nothing half-applied stays behind. OpenFlow groups (the
// Services' select groups) travel in the same bundle as the flows that use them.
import type { DumpedFlow, Flow } from '../../ovs/flow.js';
import { flowIdentity } from '../../ovs/flowtext.js';
import type { Group, GroupChange } from '../../ovs/group.js';
import type { FlowChange } from '../../ovs/ofctl.js';
import { FlowCache } from './flowcache.js';
import { GroupCache } from './groupcache.js';
import { nodeFlows, podFlows, remoteNodeFlows } from './pipeline.js';
import type { NodeConfig, PodInterface, RemoteNode } from './types.js';

/** What the client needs from OVS (Ofctl provides it; tests may count bundles). */
export interface BundleSink {
  applyBundle(changes: readonly FlowChange[], groups?: readonly GroupChange[]): Promise<void>;
}

/** Owner names in the cache; `antctl get ovsflows -p POD` reads a pod's flows by its owner. */
export const Owner = {
  node: 'node',
  pod: (namespace: string, name: string): string => `pod/${namespace}/${name}`,
  remoteNode: (name: string): string => `remote-node/${name}`,
  service: (namespace: string, name: string, port: string): string =>
    `service/${namespace}/${name}/${port}`,
} as const;

/** Owners' flows are set through this during an update. */
export type FlowEditor = Pick<FlowCache, 'put' | 'remove' | 'setOwner' | 'clearOwner'>;

/** Groups are set (added or replaced) and deleted through this during an update. */
export type GroupEditor = Pick<GroupCache, 'set' | 'delete'>;

export class OpenflowClient {
  private readonly cache = new FlowCache();
  private readonly groups = new GroupCache();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ovs: BundleSink,
    readonly config: NodeConfig,
  ) {}

  /**
   * Runs `edit` (synchronously, alone) and applies what it changed as one bundle. Resolves with
   * the number of flow changes sent; if `edit` throws or OVS rejects the bundle, the owners'
   * flows are restored and the promise rejects.
   */
  update<T>(
    edit: (flows: FlowEditor, groups: GroupEditor) => T,
  ): Promise<{ result: T; changes: number }> {
    const next = this.queue.then(async () => {
      let result: T;
      let changes: FlowChange[];
      let groupChanges: GroupChange[];
      const abort = (): void => {
        this.cache.abort();
        this.groups.abort();
      };
      try {
        result = edit(this.cache, this.groups);
        changes = this.cache.changes();
        groupChanges = this.groups.changes();
      } catch (e) {
        abort();
        throw e;
      }
      try {
        await this.ovs.applyBundle(changes, groupChanges);
      } catch (e) {
        abort();
        throw e;
      }
      this.cache.commit();
      this.groups.commit();
      return { result, changes: changes.length + groupChanges.length };
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The node's own flows: every table's defaults, gateway, tunnel. */
  async initialize(): Promise<void> {
    await this.update((f) => f.setOwner(Owner.node, nodeFlows(this.config)));
  }

  async installPod(pod: PodInterface): Promise<void> {
    await this.update((f) =>
      f.setOwner(Owner.pod(pod.namespace, pod.podName), podFlows(this.config, pod)),
    );
  }

  async uninstallPod(namespace: string, name: string): Promise<void> {
    await this.update((f) => f.clearOwner(Owner.pod(namespace, name)));
  }

  async installRemoteNode(node: RemoteNode): Promise<void> {
    await this.update((f) =>
      f.setOwner(Owner.remoteNode(node.name), remoteNodeFlows(this.config, node)),
    );
  }

  async uninstallRemoteNode(name: string): Promise<void> {
    await this.update((f) => f.clearOwner(Owner.remoteNode(name)));
  }

  /** After OVS restarted (its flows are gone): installs every cached flow again, as one bundle. */
  async replay(): Promise<void> {
    const run = this.queue.then(() =>
      this.ovs.applyBundle(
        this.cache.installedChanges(),
        this.groups.installedGroups().map((group) => ({ op: 'put', group }) as const),
      ),
    );
    this.queue = run.catch(() => undefined);
    await run;
  }

  /** The installed flows an owner contributes to (e.g. `Owner.pod(ns, name)`). */
  ownerFlows(owner: string): Flow[] {
    return this.cache.ownerFlows(owner);
  }

  installedFlows(): Flow[] {
    return this.cache.installedFlows();
  }

  /** installedFlows as add-flows lines, without parsing them. */
  installedLines(): string[] {
    return this.cache.installedLines();
  }

  installedGroups(): Group[] {
    return this.groups.installedGroups();
  }

  /**
   * Dumped flows (`--no-names`) with the actions as this agent wrote them: OVS 3 prints
   * `load:0x1->NXM_NX_REG6[]` back as `set_field:0x1->reg6`; the seed's antctl shows the former.
   * Counters stay OVS's. Flows this agent did not write are left as dumped.
   */
  annotate(dumped: readonly DumpedFlow[]): DumpedFlow[] {
    const ours = new Map(this.cache.installedFlows().map((f) => [flowIdentity(f), f]));
    return dumped.map((d) => {
      const f = ours.get(flowIdentity(d));
      return f === undefined ? d : { ...d, match: f.match, actions: f.actions };
    });
  }
}
