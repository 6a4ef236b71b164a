// A pod's sandbox: its network namespace with loopback up and eth0 from the CNI plugin (what a
// container runtime's pause container holds). hostNetwork pods have none: they share the node's
// namespace and address.
import { existsSync } from 'node:fs';
import type { CniResult } from '../../cni/spec.cjs';
import { run } from '../../util/exec.js';
import type { CniAttachment, CniRunner } from './cni.js';
import type { PodRecord } from './record.js';
import { removeResolvConf, writeResolvConf } from './resolvconf.js';

/** The pod's addresses from a CNI result: those on interfaces inside the netns, else all. */
export function resultIPs(result: CniResult): string[] {
  const inSandbox = (i: number | undefined): boolean =>
    i !== undefined && result.interfaces?.[i]?.sandbox !== undefined;
  const ips = result.ips ?? [];
  const own = ips.some((ip) => inSandbox(ip.interface))
    ? ips.filter((ip) => inSandbox(ip.interface))
    : ips;
  return own.map((ip) => ip.address.split('/')[0]!);
}

function attachment(r: PodRecord): CniAttachment {
  return {
    containerId: r.sandboxId,
    netns: r.netns!,
    pod: { namespace: r.namespace, name: r.name, uid: r.uid },
  };
}

const netnsExists = (name: string): boolean => existsSync(`/var/run/netns/${name}`);

export class Sandboxes {
  constructor(private readonly cni: CniRunner) {}

  /**
   * Creates the netns (if needed) and attaches it through CNI; records the result. A failed ADD
   * is undone with DEL, as the spec asks, so that the next attempt starts clean.
   */
  async create(r: PodRecord): Promise<void> {
    if (r.hostNetwork) return;
    const netns = r.netns!;
    if (!netnsExists(netns)) await run('ip', ['netns', 'add', netns]);
    if (r.resolvConf !== undefined) writeResolvConf(netns, r.resolvConf);
    await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    try {
      r.cniResult = await this.cni.add(attachment(r));
    } catch (e) {
      await this.cni.del(attachment(r), undefined).catch(() => undefined);
      throw e;
    }
  }

  /** CNI DEL, then the netns goes. Safe to repeat; the netns is removed even when DEL fails. */
  async destroy(r: PodRecord): Promise<void> {
    if (r.hostNetwork) return;
    try {
      await this.cni.del(attachment(r), r.cniResult);
    } finally {
      if (netnsExists(r.netns!)) await run('ip', ['netns', 'del', r.netns!]);
      removeResolvConf(r.netns!);
    }
  }
}
