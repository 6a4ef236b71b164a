// What the policy agent reads from outside the controlplane objects.
import type { PodInterface } from '../openflow/types.js';

/**
 * The local pods' OVS ports, by pod: the interface store's view that the reconciler needs to
 * turn applied-to members into ofports. A pod that is not local (or not yet plugged) is absent.
 */
export interface InterfaceLookup {
  podInterface(namespace: string, name: string): PodInterface | undefined;
}
