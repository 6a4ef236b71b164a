// AntreaProxy in the agent: the proxier on the agent's OpenFlow client, fed by informers, with
// the node's routes into OVS kept in step after every change.
import type { KubeConfig } from '@kubernetes/client-node';
import type { OpenflowClient } from '../openflow/client.js';
import { ServiceRoutes } from './hostroutes.js';
import { startServiceInformers } from './informers.js';
import { Proxier } from './proxier.js';

export interface ProxyConfig {
  readonly kc: KubeConfig;
  readonly flows: OpenflowClient;
  readonly nodeName: string;
  /** The node's network namespace; absent: the agent's own. */
  readonly netns?: string;
  readonly log: (msg: string) => void;
}

export async function startProxy(cfg: ProxyConfig): Promise<{ stop(): void }> {
  const routes = new ServiceRoutes(cfg.netns);
  await routes.init();
  const proxier = new Proxier({
    nodeName: cfg.nodeName,
    flows: cfg.flows,
    onAddresses: (a) => routes.sync(a),
    log: cfg.log,
  });
  const stopInformers = await startServiceInformers(cfg.kc, proxier, cfg.log);
  cfg.log('AntreaProxy started: Services are served in OVS');
  return {
    stop: () => {
      stopInformers();
      proxier.stop();
    },
  };
}
