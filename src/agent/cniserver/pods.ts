// What the CNI commands do to a pod's network: ADD wires a pod to br-int (address, veth pair,
// OVS port with its identity in external_ids, the pod's flows, the interface store), DEL undoes
// it, CHECK verifies it, GC removes whatever the runtime no longer knows. ADD undoes its own
// steps when one fails, with the same idempotent teardown as DEL, so nothing stays half-created.
import type { Ofctl } from '../../ovs/ofctl.js';
import type { OvsdbPorts } from '../../ovs/ports.js';
import { settleAll } from '../../util/settle.js';
import { CniError, ErrorCode, type CniResult } from '../../cni/spec.cjs';
import type { AttachRequest, DelRequest, GcRequest, PodRef } from '../../cni/request.cjs';
import type { OpenflowClient } from '../openflow/client.js';
import type { PodInterface } from '../openflow/types.js';
import { containerExternalIds } from '../interfacestore/externalids.js';
import type { InterfaceStore } from '../interfacestore/store.js';
import type { ContainerInterface } from '../interfacestore/types.js';
import { IpamExhaustedError, type Ipam } from '../ipam/ipam.js';
import { hostInterfaceName } from './ifname.js';
import { KeyedLock } from './keyedlock.js';
import { isNetns, randomMac, type PodLinks } from './links.js';
import { attachResult } from './result.js';

export interface PodNetworkDeps {
  readonly bridge: string;
  readonly ipam: Ipam;
  readonly store: InterfaceStore;
  readonly ports: Pick<OvsdbPorts, 'addPort' | 'delPort' | 'getOfport' | 'nextOfport'>;
  readonly ofctl: Pick<Ofctl, 'dumpFlows'>;
  readonly flows: Pick<OpenflowClient, 'installPod' | 'uninstallPod'>;
  readonly links: PodLinks;
  readonly log?: (msg: string) => void;
}

/** What the openflow client needs of a pod's interface. */
export function podInterfaceOf(iface: ContainerInterface): PodInterface {
  return {
    namespace: iface.podNamespace,
    podName: iface.podName,
    ifName: iface.name,
    ofport: iface.ofport,
    ips: iface.ips,
    mac: iface.mac,
  };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const podText = (pod: PodRef): string => `${pod.namespace}/${pod.name}`;

export class PodNetwork {
  private readonly locks = new KeyedLock();

  constructor(private readonly deps: PodNetworkDeps) {}

  add(req: AttachRequest): Promise<CniResult> {
    return this.locks.run(req.containerId, async () => {
      const { ipam, store } = this.deps;
      const existing = store.getByContainer(req.containerId);
      if (existing !== undefined) {
        // A repeated ADD (e.g. the runtime retrying after a timeout) gets the same answer.
        if (existing.ifDev === req.ifName)
          return attachResult(req.conf.cniVersion, existing, req.netns, ipam.subnet);
        throw new CniError(
          ErrorCode.ConfigInterfaceFailure,
          `container ${req.containerId} already has interface ${existing.ifDev}; one per pod is supported`,
        );
      }
      if (!(await isNetns(req.netns))) {
        throw new CniError(
          ErrorCode.UnknownContainer,
          `network namespace ${req.netns} does not exist`,
        );
      }
      let ip: string;
      try {
        ip = ipam.allocate(req.containerId, req.ifName);
      } catch (e) {
        if (e instanceof IpamExhaustedError) throw new CniError(ErrorCode.TryAgainLater, e.message);
        throw new CniError(
          ErrorCode.IPAMFailure,
          `pod ${podText(req.pod)}: IPAM failed`,
          message(e),
        );
      }
      const name = hostInterfaceName(req.pod.name, req.containerId);
      try {
        const iface = await this.wire(req, name, ip);
        return attachResult(req.conf.cniVersion, iface, req.netns, ipam.subnet);
      } catch (e) {
        await this.teardown(req.containerId, req.ifName, name, req.pod).catch((undo: unknown) =>
          this.deps.log?.(
            `ADD ${req.containerId}: undoing a failed ADD failed too: ${message(undo)}`,
          ),
        );
        throw new CniError(
          ErrorCode.ConfigInterfaceFailure,
          `pod ${podText(req.pod)}: failed to set up interface ${name}`,
          message(e),
        );
      }
    });
  }

  del(req: DelRequest): Promise<void> {
    return this.locks.run(req.containerId, async () => {
      const iface = this.deps.store.getByContainer(req.containerId);
      if (iface !== undefined && iface.ifDev !== req.ifName) {
        // Not this interface's record (ADD allows one per container): only its address, if any.
        this.deps.ipam.release(req.containerId, req.ifName);
        return;
      }
      const pod =
        iface !== undefined ? { namespace: iface.podNamespace, name: iface.podName } : req.pod;
      // Without a record (a half-created ADD), the name is recomputed from the pod's name.
      const name =
        iface?.name ??
        (pod === undefined ? undefined : hostInterfaceName(pod.name, req.containerId));
      try {
        await this.teardown(req.containerId, req.ifName, name, pod);
      } catch (e) {
        throw new CniError(
          ErrorCode.ConfigInterfaceFailure,
          `container ${req.containerId}: DEL failed`,
          message(e),
        );
      }
    });
  }

  check(req: AttachRequest): Promise<void> {
    return this.locks.run(req.containerId, async () => {
      const fail = (msg: string): CniError =>
        new CniError(ErrorCode.CheckInterfaceFailure, `pod ${podText(req.pod)}: ${msg}`);
      const { store, links, ports, ofctl, ipam } = this.deps;
      const iface = store.getByContainer(req.containerId);
      if (iface === undefined || iface.ifDev !== req.ifName) {
        throw fail(`no interface ${req.ifName} of container ${req.containerId}`);
      }
      if (!(await isNetns(req.netns))) throw fail(`network namespace ${req.netns} does not exist`);
      const wanted = iface.ips.map((ip) => ipam.subnet.withPrefix(ip));
      const prev = (req.conf.prevResult?.ips ?? []).map((c) => c.address);
      if (!wanted.every((a) => prev.includes(a))) {
        throw fail(`prevResult has ${JSON.stringify(prev)}, the pod has ${JSON.stringify(wanted)}`);
      }
      if (!(await links.hostEndUp(iface.name)))
        throw fail(`host interface ${iface.name} is missing or down`);
      const have = await links.podAddresses(req.netns, req.ifName);
      if (have === undefined) throw fail(`interface ${req.ifName} is missing in ${req.netns}`);
      if (!wanted.every((a) => have.includes(a))) {
        throw fail(
          `interface ${req.ifName} has ${JSON.stringify(have)}, want ${JSON.stringify(wanted)}`,
        );
      }
      let ofport: number;
      try {
        ofport = await ports.getOfport(iface.name);
      } catch (e) {
        throw fail(message(e));
      }
      if (ofport !== iface.ofport)
        throw fail(`OVS port ${iface.name} has ofport ${ofport}, want ${iface.ofport}`);
      const flows = await ofctl.dumpFlows({ table: 0, match: `in_port=${iface.ofport}` });
      if (flows.length === 0)
        throw fail(`no flow of OVS port ${iface.name} (ofport ${iface.ofport})`);
    });
  }

  /** Tears down every attachment (interface or address) that is not in the runtime's list. */
  async gc(req: GcRequest): Promise<void> {
    const valid = new Set(req.validAttachments.map((a) => `${a.containerId}/${a.ifName}`));
    const stale = new Map<string, { containerId: string; ifName: string }>();
    for (const i of this.deps.store.list('container'))
      stale.set(`${i.containerId}/${i.ifDev}`, { containerId: i.containerId, ifName: i.ifDev });
    for (const a of this.deps.ipam.list()) stale.set(`${a.containerId}/${a.ifName}`, a);
    for (const [key, a] of stale) {
      if (!valid.has(key)) await this.del({ command: 'DEL', conf: req.conf, ...a });
    }
  }

  /** ADD's steps after the address is reserved; a failure leaves the cleanup to teardown(). */
  private async wire(req: AttachRequest, name: string, ip: string): Promise<ContainerInterface> {
    const { ipam, links, ports, flows, store, bridge } = this.deps;
    const mac = randomMac();
    const link = {
      hostName: name,
      netns: req.netns,
      ifName: req.ifName,
      mac,
      address: ipam.subnet.withPrefix(ip),
      gateway: ipam.subnet.gateway,
    };
    const identity = {
      containerId: req.containerId,
      podName: req.pod.name,
      podNamespace: req.pod.namespace,
      ips: [ip],
      mac,
      ifDev: req.ifName,
    };
    // The ofport is asked for, not waited for, so the pod's flows go in meanwhile; the port goes
    // in too, and vswitchd opens its device the moment the veth exists.
    const planned: ContainerInterface = {
      kind: 'container',
      name,
      portUUID: '',
      ofport: ports.nextOfport(),
      ...identity,
    };
    const noDevice = new AbortController();
    const [port] = await settleAll([
      ports.addPort(
        bridge,
        name,
        { externalIds: containerExternalIds(identity), ofportRequest: planned.ofport },
        { deviceLater: noDevice.signal },
      ),
      links.create(link).catch((e: unknown) => {
        noDevice.abort();
        throw e;
      }),
      flows.installPod(podInterfaceOf(planned)),
    ]);
    const iface: ContainerInterface = { ...planned, portUUID: port.uuid, ofport: port.ofport };
    // vswitchd gives another number only if the asked-for one was taken in between.
    if (iface.ofport !== planned.ofport) await flows.installPod(podInterfaceOf(iface));
    store.add(iface);
    return iface;
  }

  /**
   * Removes, in order, the pod's flows, then its OVS port and veth pair, the store's record and
   * the address; each step succeeds when there is nothing to remove. If another sandbox of the same
   * pod is attached (a new one came before the old one's DEL), its flows are put back instead.
   */
  private async teardown(
    containerId: string,
    ifName: string,
    name: string | undefined,
    pod: PodRef | undefined,
  ): Promise<void> {
    const { store, flows, ports, links, ipam, bridge } = this.deps;
    if (pod !== undefined) {
      const other = store
        .getByPod(pod.namespace, pod.name)
        .find((i) => i.containerId !== containerId);
      if (other === undefined) await flows.uninstallPod(pod.namespace, pod.name);
      else await flows.installPod(podInterfaceOf(other));
    }
    if (name !== undefined) {
      // The flows are gone, so port and link can go in either order.
      await settleAll([ports.delPort(bridge, name), links.delete(name)]);
      if (store.get(name)?.kind === 'container') store.delete(name);
    }
    ipam.release(containerId, ifName);
  }
}
