// How an interface is written into (and read back from) its OVS Port's external_ids, with
// Antrea's keys, so a restarted agent rebuilds its store from OVSDB alone.
import type { InterfaceRecord } from '../../ovs/vsctl.js';
import type { ContainerInterface, InterfaceConfig, InterfaceKind } from './types.js';

export const ExternalIdKey = {
  type: 'antrea-type',
  containerId: 'container-id',
  podName: 'pod-name',
  podNamespace: 'pod-namespace',
  ip: 'ip-address',
  mac: 'attached-mac',
  ifDev: 'if-dev',
} as const;

const KINDS: readonly InterfaceKind[] = ['container', 'gateway', 'tunnel'];

/** external_ids of a pod's port (written when the port is created, in the same transaction). */
export function containerExternalIds(
  iface: Omit<ContainerInterface, 'kind' | 'portUUID' | 'ofport' | 'name'>,
): Record<string, string> {
  return {
    [ExternalIdKey.type]: 'container',
    [ExternalIdKey.containerId]: iface.containerId,
    [ExternalIdKey.podName]: iface.podName,
    [ExternalIdKey.podNamespace]: iface.podNamespace,
    [ExternalIdKey.ip]: iface.ips.join(','),
    [ExternalIdKey.mac]: iface.mac,
    [ExternalIdKey.ifDev]: iface.ifDev,
  };
}

/** external_ids of the gateway or tunnel port. */
export function nodePortExternalIds(kind: 'gateway' | 'tunnel'): Record<string, string> {
  return { [ExternalIdKey.type]: kind };
}

/**
 * The interface an OVSDB record describes; undefined for ports the agent did not create. The
 * gateway's address is node configuration, not OVSDB's: bootstrap records it.
 */
export function fromRecord(r: InterfaceRecord): InterfaceConfig | undefined {
  const ids = r.externalIds;
  const kind = ids[ExternalIdKey.type] as InterfaceKind | undefined;
  // A port whose device is gone (ofport -1) is still recorded: its pod keeps its address until
  // a DEL removes it.
  if (kind === undefined || !KINDS.includes(kind)) return undefined;
  const common = {
    name: r.name,
    portUUID: r.uuid,
    ofport: r.ofport,
    mac: ids[ExternalIdKey.mac] ?? r.mac ?? '',
  };
  switch (kind) {
    case 'container': {
      const containerId = ids[ExternalIdKey.containerId];
      const podName = ids[ExternalIdKey.podName];
      const podNamespace = ids[ExternalIdKey.podNamespace];
      if (!containerId || !podName || !podNamespace) return undefined;
      const ips = (ids[ExternalIdKey.ip] ?? '').split(',').filter((ip) => ip !== '');
      return {
        ...common,
        kind,
        containerId,
        podName,
        podNamespace,
        ips,
        ifDev: ids[ExternalIdKey.ifDev] ?? 'eth0',
      };
    }
    case 'gateway':
    case 'tunnel':
      return { ...common, kind, ips: [] };
    default: {
      const never: never = kind;
      return never;
    }
  }
}
