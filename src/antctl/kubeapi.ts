// The few Kubernetes API reads antctl makes (finding the controller, listing AntreaAgentInfos,
// a Pod's address), through the kubeconfig. The client library is imported on first use: it
// takes most of a second to load, which agent-mode commands should not pay.
import type { AntreaAgentInfo, AntreaControllerInfo } from '../apis/index.js';
import type { Pod } from '../apis/core.js';
import { verboseLog, type GlobalOptions } from './globals.js';

async function client(g: GlobalOptions) {
  const [{ CoreV1Api, CustomObjectsApi }, { loadKubeConfig }] = await Promise.all([
    import('@kubernetes/client-node'),
    import('../util/kubeclient.js'),
  ]);
  const kc = loadKubeConfig(g.kubeconfig);
  return {
    server: kc.getCurrentCluster()?.server,
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
  };
}

const crd = { group: 'crd.antrea.io', version: 'v1beta1' } as const;

/** The API server's URL and the controller's AntreaControllerInfo. */
export async function controllerInfo(
  g: GlobalOptions,
): Promise<{ server: string; info: AntreaControllerInfo }> {
  const c = await client(g);
  if (c.server === undefined) throw new Error('no cluster in the kubeconfig');
  verboseLog(g, `reading AntreaControllerInfo antrea-controller from ${c.server}`);
  const info = (await c.custom.getClusterCustomObject({
    ...crd,
    plural: 'antreacontrollerinfos',
    name: 'antrea-controller',
  })) as AntreaControllerInfo;
  return { server: c.server, info };
}

export async function agentInfos(g: GlobalOptions): Promise<AntreaAgentInfo[]> {
  const c = await client(g);
  verboseLog(g, `listing AntreaAgentInfos from ${c.server}`);
  const list = (await c.custom.listClusterCustomObject({ ...crd, plural: 'antreaagentinfos' })) as {
    items: AntreaAgentInfo[];
  };
  return list.items;
}

export async function readPod(g: GlobalOptions, namespace: string, name: string): Promise<Pod> {
  const c = await client(g);
  verboseLog(g, `reading Pod ${namespace}/${name} from ${c.server}`);
  return (await c.core.readNamespacedPod({ namespace, name })) as Pod;
}
