// The kube controllers as their own process (the local cluster's kube-controller-manager and
// kube-scheduler):
//   node dist/src/kube/controllers/main.js --kubeconfig .antrea/kubeconfig \
//        --cluster-cidr 10.10.0.0/16 [--node-cidr-mask-size 24]
// Service ClusterIPs and NodePorts are the API server's (its --service-cidr), not ours.
// Prints `running` once every informer has listed; stops cleanly on SIGTERM/SIGINT.
import { KubeConfig } from '@kubernetes/client-node';
import { parseArgs } from 'node:util';
import { exitOnSignal } from '../../util/shutdown.js';
import { startKubeControllers } from './index.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    'cluster-cidr': { type: 'string', default: '10.10.0.0/16' },
    'node-cidr-mask-size': { type: 'string', default: '24' },
  },
});

const kc = new KubeConfig();
if (values.kubeconfig) kc.loadFromFile(values.kubeconfig);
else kc.loadFromDefault();

const controllers = await startKubeControllers(kc, {
  clusterCIDR: values['cluster-cidr'],
  nodeCIDRMaskSize: Number(values['node-cidr-mask-size']),
});
console.log('running');

exitOnSignal(() => controllers.stop());
