// Small helpers over @kubernetes/client-node shared by the controller and the agent.
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';

/** In-cluster config when running in a pod, else the given (or default) kubeconfig file. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else if (process.env['KUBERNETES_SERVICE_HOST']) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

function statusCode(e: unknown): number | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Creates or replaces a cluster-scoped crd.antrea.io object (AntreaAgentInfo,
 * AntreaControllerInfo): the heartbeat writes the whole object each time.
 */
export async function upsertClusterCustomObject(
  kc: KubeConfig,
  plural: string,
  body: { metadata: { name: string; resourceVersion?: string } } & Record<string, unknown>,
): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const ref = { group: 'crd.antrea.io', version: 'v1beta1', plural, name: body.metadata.name };
  try {
    const current = (await api.getClusterCustomObject(ref)) as {
      metadata?: { resourceVersion?: string };
    };
    const resourceVersion = current.metadata?.resourceVersion;
    await api.replaceClusterCustomObject({
      ...ref,
      body: {
        ...body,
        metadata: { ...body.metadata, ...(resourceVersion ? { resourceVersion } : {}) },
      },
    });
  } catch (e) {
    if (statusCode(e) !== 404) throw e;
    await api.createClusterCustomObject({ group: ref.group, version: ref.version, plural, body });
  }
}
