// Writes pod statuses through the status subresource: one JSON patch that first tests the pod's
// uid (so a status never lands on a newer pod of the same name) and then replaces `status`.
// Per pod, writes are serialized and coalesced (only the newest status is sent) and skipped when
// nothing changed since the last one; a failed write is retried unless the pod is gone.
import type { CoreV1Api } from '@kubernetes/client-node';

interface Slot {
  readonly namespace: string;
  readonly name: string;
  /** The newest status not yet written. */
  next?: object;
  lastJson?: string;
  busy: boolean;
}

const RETRY_MS = 1000;

function httpCode(e: unknown): number | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

export class StatusWriter {
  private readonly slots = new Map<string, Slot>();
  private stopped = false;

  constructor(
    private readonly api: CoreV1Api,
    private readonly log: (msg: string) => void,
  ) {}

  push(uid: string, namespace: string, name: string, status: object): void {
    let slot = this.slots.get(uid);
    if (!slot) this.slots.set(uid, (slot = { namespace, name, busy: false }));
    slot.next = status;
    if (!slot.busy) void this.drain(uid, slot);
  }

  forget(uid: string): void {
    this.slots.delete(uid);
  }

  stop(): void {
    this.stopped = true;
  }

  private async drain(uid: string, slot: Slot): Promise<void> {
    slot.busy = true;
    while (slot.next && !this.stopped && this.slots.get(uid) === slot) {
      const status = slot.next;
      slot.next = undefined;
      const json = JSON.stringify(status);
      if (json === slot.lastJson) continue;
      try {
        await this.api.patchNamespacedPodStatus({
          namespace: slot.namespace,
          name: slot.name,
          body: [
            { op: 'test', path: '/metadata/uid', value: uid },
            { op: 'replace', path: '/status', value: status },
          ],
        });
        slot.lastJson = json;
      } catch (e) {
        const code = httpCode(e);
        if (code !== undefined && code >= 400 && code < 500 && code !== 409 && code !== 429) {
          break; // the pod is gone or was replaced: nothing to report any more
        }
        this.log(`status of pod ${slot.namespace}/${slot.name}: ${(e as Error).message}; retrying`);
        slot.next ??= status;
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
    slot.busy = false;
  }
}
