// Pods named on antctl's command line (`NAMESPACE/NAME`, or `NAME` in the default Namespace) and
// their addresses, from the Kubernetes API.
import { UsageError } from './errors.js';
import type { GlobalOptions } from './globals.js';
import { readPod } from './kubeapi.js';

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
}

export function parsePodRef(text: string, defaultNamespace = 'default'): PodRef {
  const parts = text.split('/');
  if (parts.length > 2 || parts.some((p) => p === ''))
    throw new UsageError(`"${text}" is not NAMESPACE/POD or POD`);
  return parts.length === 2
    ? { namespace: parts[0]!, name: parts[1]! }
    : { namespace: defaultNamespace, name: parts[0]! };
}

export async function podIP(ref: PodRef, g: GlobalOptions): Promise<string> {
  const ip = (await readPod(g, ref.namespace, ref.name)).status?.podIP;
  if (!ip) throw new Error(`Pod ${ref.namespace}/${ref.name} has no IP yet`);
  return ip;
}
