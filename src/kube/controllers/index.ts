// The local cluster's kube-controller-manager and kube-scheduler in one call: shared
// informers, then one worker per controller, each a level-triggered loop (see controller.ts).
// Service ClusterIPs and NodePorts are not here: the API server allocates them as it stores a
// Service (serviceAllocation.ts), as kube-apiserver does.
//
//   const controllers = await startKubeControllers(kc, { clusterCIDR: '10.10.0.0/16' });
//   …
//   await controllers.stop();
import type { KubeConfig } from '@kubernetes/client-node';
import { describeError, makeClients } from './api.js';
import type { Controller, ControllerContext } from './controller.js';
import { DeploymentController } from './deployment.js';
import { EndpointsController } from './endpoints.js';
import { SharedInformers } from './informers.js';
import { NodeIpamController } from './nodeIpam.js';
import { ReplicaSetController } from './replicaSet.js';
import { Scheduler } from './scheduler.js';
import { StatefulSetController } from './statefulSet.js';

export { serviceAllocationPlugin, type ServiceAllocationOptions } from './serviceAllocation.js';

export const CONTROLLER_NAMES = [
  'scheduler',
  'deployment',
  'replicaset',
  'statefulset',
  'endpoints',
  'nodeipam',
] as const;
export type ControllerName = (typeof CONTROLLER_NAMES)[number];

export interface KubeControllersOptions {
  /** The cluster CIDR that node IPAM cuts PodCIDRs from, e.g. 10.10.0.0/16. */
  readonly clusterCIDR: string;
  /** The size of each Node's PodCIDR (default 24). */
  readonly nodeCIDRMaskSize?: number;
  /** Which controllers run (default: all). */
  readonly controllers?: readonly ControllerName[];
  readonly log?: (msg: string) => void;
  readonly now?: () => number;
}

export interface KubeControllers {
  stop(): Promise<void>;
}

function build(
  name: ControllerName,
  ctx: ControllerContext,
  opts: KubeControllersOptions,
): Controller {
  switch (name) {
    case 'scheduler':
      return new Scheduler(ctx);
    case 'deployment':
      return new DeploymentController(ctx);
    case 'replicaset':
      return new ReplicaSetController(ctx);
    case 'statefulset':
      return new StatefulSetController(ctx);
    case 'endpoints':
      return new EndpointsController(ctx);
    case 'nodeipam':
      return new NodeIpamController(ctx, {
        clusterCIDR: opts.clusterCIDR,
        nodeCIDRMaskSize: opts.nodeCIDRMaskSize ?? 24,
      });
    default: {
      const never: never = name;
      throw new Error(`unknown controller ${String(never)}`);
    }
  }
}

/** Resolves once every informer has listed, with the workers running. */
export async function startKubeControllers(
  kc: KubeConfig,
  opts: KubeControllersOptions,
): Promise<KubeControllers> {
  const log = opts.log ?? ((msg: string) => console.error(`kube-controllers: ${msg}`));
  const informers = new SharedInformers(kc, log);
  const ctx: ControllerContext = {
    informers,
    clients: makeClients(kc),
    now: opts.now ?? Date.now,
  };
  const controllers = (opts.controllers ?? CONTROLLER_NAMES).map((name) => build(name, ctx, opts));
  try {
    await informers.start();
  } catch (err) {
    await informers.stop();
    throw err;
  }
  const workers = controllers.map((c) =>
    c.queue.run(
      (key) => c.reconcile(key),
      (key, err, retryMs) => log(`${c.name} ${key}: ${describeError(err)}; retry in ${retryMs}ms`),
    ),
  );
  return {
    async stop() {
      for (const c of controllers) c.queue.shutdown();
      await Promise.all(workers);
      await informers.stop();
    },
  };
}
