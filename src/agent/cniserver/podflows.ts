// Pods' flows for the CNI server, batched: installs and removals that come while a bundle is on
// its way to OVS go together in the next one. Concurrent ADDs then cost a few bundles (each an
// ovs-ofctl process) instead of one each; a lone ADD still goes at once. Within a batch, the
// changes apply in the order they came, so the last one for a pod wins.
import type { Flow } from '../../ovs/flow.js';
import { Owner, type OpenflowClient } from '../openflow/client.js';
import { podFlows } from '../openflow/pipeline.js';
import type { PodInterface } from '../openflow/types.js';

interface Change {
  readonly owner: string;
  /** undefined: remove the owner's flows. */
  readonly flows: readonly Flow[] | undefined;
  resolve(): void;
  reject(e: unknown): void;
}

export class BatchedPodFlows {
  private waiting: Change[] = [];
  private draining = false;

  constructor(private readonly client: Pick<OpenflowClient, 'update' | 'config'>) {}

  installPod(pod: PodInterface): Promise<void> {
    return this.enqueue(Owner.pod(pod.namespace, pod.podName), podFlows(this.client.config, pod));
  }

  uninstallPod(namespace: string, name: string): Promise<void> {
    return this.enqueue(Owner.pod(namespace, name), undefined);
  }

  private enqueue(owner: string, flows: readonly Flow[] | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ owner, flows, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      // After this turn: changes made in the same turn (e.g. a restart's every pod) go together.
      queueMicrotask(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        await this.client.update((f) => {
          for (const c of batch) {
            if (c.flows === undefined) f.clearOwner(c.owner);
            else f.setOwner(c.owner, c.flows);
          }
        });
        for (const c of batch) c.resolve();
      } catch (e) {
        // One bundle: OVS took all of it or none of it.
        for (const c of batch) c.reject(e);
      }
    }
    this.draining = false;
  }
}
