// Which container an exec or log request means, with kube's 400 messages when it is ambiguous
// or unknown (pkg/registry/core/pod's validateContainer).
import type { Pod } from '../../../apis/core.js';
import { badRequest } from '../errors.js';
import { arr, at, str } from '../json.js';

const names = (pod: Pod, field: string): string[] =>
  arr(at(pod, 'spec', field)).map((c) => str(at(c, 'name')));

export function podContainer(pod: Pod, requested: string): string {
  const podName = pod.metadata.name ?? '';
  const containers = names(pod, 'containers');
  if (requested !== '') {
    const all = [
      ...containers,
      ...names(pod, 'initContainers'),
      ...names(pod, 'ephemeralContainers'),
    ];
    if (!all.includes(requested))
      throw badRequest(`container ${requested} is not valid for pod ${podName}`);
    return requested;
  }
  if (containers.length === 1) return containers[0]!;
  if (containers.length === 0)
    throw badRequest(`a container name must be specified for pod ${podName}`);
  const init = names(pod, 'initContainers');
  let message = `a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]`;
  if (init.length > 0) message += ` or one of the init containers: [${init.join(' ')}]`;
  throw badRequest(message);
}
