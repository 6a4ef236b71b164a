// The kubelet of one node as its own process (in the root namespace; pods' processes run in
// their netns through `ip netns exec`):
//
//   node dist/src/kube/kubelet/main.js --node NAME --kubeconfig PATH --state-dir DIR \
//        --cni-conf-dir DIR --cni-bin-dir DIR [--node-netns NS] [--netns-prefix P] \
//        [--node-env KEY=VAL]… [--restart-backoff-ms MS] [--cluster-dns IP]
//        [--cluster-domain cluster.local] [--teardown]
//
// Prints `ready` once its pods are synced and STATE/kubelet.sock serves. SIGTERM/SIGINT stop the
// kubelet and leave its pods running (the next kubelet on the same state dir adopts them).
// `--teardown` instead removes every pod recorded in the state dir (processes, CNI DEL, netns)
// and exits, without the API server: what `./antrea down` runs.
import { parseArgs } from 'node:util';
import { exitOnSignal } from '../../util/shutdown.js';
import { loadKubeConfig } from '../../util/kubeclient.js';
import { Kubelet } from './kubelet.js';

const { values } = parseArgs({
  options: {
    node: { type: 'string' },
    kubeconfig: { type: 'string' },
    'state-dir': { type: 'string' },
    'node-netns': { type: 'string' },
    'netns-prefix': { type: 'string' },
    'cni-conf-dir': { type: 'string', default: '/etc/cni/net.d' },
    'cni-bin-dir': { type: 'string', default: '/opt/cni/bin' },
    'node-env': { type: 'string', multiple: true, default: [] },
    'restart-backoff-ms': { type: 'string', default: '10000' },
    'cluster-dns': { type: 'string' },
    'cluster-domain': { type: 'string', default: 'cluster.local' },
    teardown: { type: 'boolean', default: false },
  },
});

function required(name: 'node' | 'state-dir'): string {
  const v = values[name];
  if (!v) throw new Error(`--${name} is required`);
  return v;
}

function nodeEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--node-env ${pair}: expected KEY=VALUE`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

const initialMs = Number(values['restart-backoff-ms']);
if (!(initialMs > 0))
  throw new Error(`--restart-backoff-ms: invalid value ${values['restart-backoff-ms']}`);
const nodeName = required('node');
const kubelet = new Kubelet({
  nodeName,
  kubeConfig: loadKubeConfig(values.kubeconfig),
  stateDir: required('state-dir'),
  cniConfDir: values['cni-conf-dir'],
  cniBinDir: values['cni-bin-dir'],
  nodeEnv: nodeEnv(values['node-env']),
  // kube's ratio: 10 s doubling up to 5 min.
  backoff: { initialMs, maxMs: initialMs * 30 },
  ...(values['node-netns'] ? { nodeNetns: values['node-netns'] } : {}),
  ...(values['netns-prefix'] ? { netnsPrefix: values['netns-prefix'] } : {}),
  ...(values['cluster-dns']
    ? { clusterDNS: { server: values['cluster-dns'], domain: values['cluster-domain'] } }
    : {}),
  log: (msg) => process.stderr.write(`${new Date().toISOString()} kubelet ${nodeName}: ${msg}\n`),
});

if (values.teardown) {
  await kubelet.removeAllPods();
} else {
  await kubelet.start();
  console.log('ready');
  exitOnSignal(() => kubelet.stop());
}
