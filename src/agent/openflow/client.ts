// The agent's OpenFlow client: owns the flow cache, and turns every change — the node's own
// flows, a pod, a remote node, a batch of policy rules — into ONE bundle of only the flows that
// differ. Updates run one at a time; if OVS rejects a bundle, the cache keeps the old state and
// the error goes to the caller, so nothing half-applied stays behind.
import type { DumpedFlow, Flow } from '../../ovs/flow.js';
import { flowIdentity } from '../../ovs/flowtext.js';
import type { FlowChange } from '../../ovs/ofctl.js';
import { FlowCache } from './flowcache.js';
import { nodeFlows, podFlows, remoteNodeFlows } from './pipeline.js';
import type { NodeConfig, PodInterface, RemoteNode } from './types.js';

/** What the client needs from OVS (Ofctl provides it; tests may count bundles). */
export interface BundleSink {
  applyBundle(changes: readonly FlowChange[]): Promise<void>;
}

/** Owner names in the cache; `antctl get ovsflows -p POD` reads a pod's flows by its owner. */
export const Owner = {
  node: 'node',
  pod: (namespace: string, name: string): string => `pod/${namespace}/${name}`,
  remoteNode: (name: string): string => `remote-node/${name}`,
} as const;

/** Owners' flows are set through this during an update. */
export type FlowEditor = Pick<FlowCache, 'put' | 'remove' | 'setOwner' | 'clearOwner'>;

export class OpenflowClient {
  private readonly cache = new FlowCache();
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
  update<T>(edit: (flows: FlowEditor) => T): Promise<{ result: T; changes: number }> {
    const next = this.queue.then(async () => {
      let result: T;
      let changes: FlowChange[];
      try {
        result = edit(this.cache);
        changes = this.cache.changes();
      } catch (e) {
        this.cache.abort();
        throw e;
      }
      try {
        await this.ovs.applyBundle(changes);
      } catch (e) {
        this.cache.abort();
        throw e;
      }
      this.cache.commit();
      return { result, changes: changes.length };
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
        this.cache.installedFlows().map((flow) => ({ op: 'add', flow }) as const),
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
