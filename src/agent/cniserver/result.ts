// The CNI result of a pod's attachment, in the version the runtime asked for: 0.3.x and 0.4.0
// carry `version` on each IP, 1.x does not; otherwise the shape is the same.
import type { CniResult, CniVersion } from '../../cni/spec.cjs';
import type { ContainerInterface } from '../interfacestore/types.js';
import type { PodSubnet } from '../ipam/subnet.js';

export function attachResult(
  version: CniVersion,
  iface: ContainerInterface,
  netns: string,
  subnet: PodSubnet,
): CniResult {
  const legacy = version.startsWith('0.');
  return {
    cniVersion: version,
    interfaces: [{ name: iface.name }, { name: iface.ifDev, mac: iface.mac, sandbox: netns }],
    ips: iface.ips.map((ip) => ({
      ...(legacy ? { version: '4' as const } : {}),
      address: subnet.withPrefix(ip),
      gateway: subnet.gateway,
      interface: 1,
    })),
    routes: [{ dst: '0.0.0.0/0', gw: subnet.gateway }],
    dns: {},
  };
}
