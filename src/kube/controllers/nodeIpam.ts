// Node IPAM (kube-controller-manager's range allocator): every Node gets spec.podCIDR and
// spec.podCIDRs, a block of the cluster CIDR. The blocks in use are read from the Nodes
// themselves, so allocations survive restarts and a deleted Node's block becomes free again.
import type { Node } from '../../apis/core.js';
import { MERGE_PATCH } from './api.js';
import { CidrSet } from './cidrSet.js';
import type { Controller, ControllerContext } from './controller.js';
import type { Store } from './informers.js';
import { WorkQueue } from './workqueue.js';

export interface NodeIpamOptions {
  /** e.g. 10.10.0.0/16 */
  readonly clusterCIDR: string;
  /** e.g. 24: one /24 per Node */
  readonly nodeCIDRMaskSize: number;
}

export class NodeIpamController implements Controller {
  readonly name = 'nodeipam';
  readonly queue = new WorkQueue();
  private readonly nodes: Store<Node>;
  /**
   * Blocks this controller handed out that the cache may not show yet: without them, two
   * Nodes registered together could get the same block.
   */
  private readonly pending = new Map<string, string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: NodeIpamOptions,
  ) {
    // Fail at start on a bad CIDR, not at the first Node.
    new CidrSet(opts.clusterCIDR, opts.nodeCIDRMaskSize);
    this.nodes = ctx.informers.store('nodes');
    const enqueue = (n: Node): void => this.queue.add(n.metadata.name ?? '');
    this.nodes.on('add', enqueue);
    this.nodes.on('update', enqueue);
    this.nodes.on('delete', (n) => this.pending.delete(n.metadata.name ?? ''));
  }

  async reconcile(name: string): Promise<void> {
    const node = this.nodes.get('', name);
    if (!node) return;
    if (node.spec?.podCIDR) {
      this.pending.delete(name);
      return;
    }
    if (this.pending.has(name)) return;
    const set = new CidrSet(this.opts.clusterCIDR, this.opts.nodeCIDRMaskSize);
    for (const n of this.nodes.list())
      for (const cidr of n.spec?.podCIDRs ?? [n.spec?.podCIDR ?? '']) set.occupy(cidr);
    for (const cidr of this.pending.values()) set.occupy(cidr);
    const podCIDR = set.allocate();
    if (!podCIDR)
      throw new Error(
        `no free /${this.opts.nodeCIDRMaskSize} left in ${this.opts.clusterCIDR} for node ${name}`,
      );
    this.pending.set(name, podCIDR);
    // Conditional on the version read: a Node that got a podCIDR meanwhile keeps it.
    const body = {
      metadata: { resourceVersion: node.metadata.resourceVersion },
      spec: { podCIDR, podCIDRs: [podCIDR] },
    };
    try {
      await this.ctx.clients.core.patchNode({ name, body }, MERGE_PATCH);
    } catch (err) {
      this.pending.delete(name);
      throw err;
    }
  }
}
