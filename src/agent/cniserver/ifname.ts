// Host-end names of pod veths, as Antrea (and the seed) make them: the first 8 characters of the
// pod name, '-', 6 hex digits of the SHA-1 of the container id (`nginx-de-548af9`). Keyed by the
// container, so a pod re-created under the same name gets a new interface name; at most 15
// characters, the Linux limit.
import { createHash } from 'node:crypto';

const PREFIX_LENGTH = 8;
const KEY_LENGTH = 6;

export function hostInterfaceName(podName: string, containerId: string): string {
  // A leading '-' would read as an option to ip/ethtool; pod names cannot start with one, but
  // the 8-character cut must not create one either.
  const prefix = podName.slice(0, PREFIX_LENGTH).replace(/^-+/, '');
  const key = createHash('sha1').update(containerId).digest('hex').slice(0, KEY_LENGTH);
  return `${prefix}-${key}`;
}
