// GET /podinterfaces[?namespace=NS[&name=POD]]: the local pods' interfaces from the interface
// store, with Antrea's JSON field names (what `antctl get podinterface -o json` prints).
import type { InterfaceStore } from '../interfacestore/store.js';
import type { ContainerInterface } from '../interfacestore/types.js';

export interface PodInterfaceResponse {
  readonly name: string;
  readonly podNamespace: string;
  readonly interfaceName: string;
  readonly ips: readonly string[];
  readonly mac: string;
  readonly portUUID: string;
  readonly ofPort: number;
  readonly containerID: string;
}

function toResponse(i: ContainerInterface): PodInterfaceResponse {
  return {
    name: i.podName,
    podNamespace: i.podNamespace,
    interfaceName: i.name,
    ips: i.ips,
    mac: i.mac,
    portUUID: i.portUUID,
    ofPort: i.ofport,
    containerID: i.containerId,
  };
}

export function podInterfaces(
  store: InterfaceStore,
  query: URLSearchParams,
): PodInterfaceResponse[] {
  const namespace = query.get('namespace');
  const name = query.get('name');
  return store
    .containers()
    .filter(
      (i) =>
        (namespace === null || i.podNamespace === namespace) &&
        (name === null || i.podName === name),
    )
    .map(toResponse);
}
