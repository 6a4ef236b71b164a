// The API server as its own process:
//   node dist/src/kube/apiserver/main.js --data-dir .antrea/apiserver --port 6443 \
//        --kubeconfig .antrea/kubeconfig [--service-cidr 10.96.0.0/12] \
//        [--runtime-sockets .antrea/nodes/{node}/kubelet/kubelet.sock] [--access-log]
// With --service-cidr, Services get their ClusterIP and NodePorts when written (as in kube);
// exec and logs go to the kubelet socket of the pod's node ({node} is replaced by its name).
// Prints `listening <url>` once it serves; stops cleanly on SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { exitOnSignal } from '../../util/shutdown.js';
import { serviceAllocationPlugin } from '../controllers/index.js';
import { KubeletClient } from '../kubelet/client.js';
import { ApiServer } from './server.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: '.antrea/apiserver' },
    port: { type: 'string', default: '6443' },
    kubeconfig: { type: 'string' },
    'runtime-sockets': { type: 'string' },
    'service-cidr': { type: 'string' },
    'access-log': { type: 'boolean', default: false },
  },
});

const sockets = values['runtime-sockets'];
const serviceCIDR = values['service-cidr'];
// The allocation plugin reads the stored Services, which exist once the server has started.
let started: ApiServer | undefined;
const admission = serviceCIDR
  ? [
      serviceAllocationPlugin(
        { serviceCIDR },
        () => started?.registry.storage.list('services') ?? [],
      ),
    ]
  : [];
const server = await ApiServer.start({
  dataDir: values['data-dir'],
  port: Number(values.port),
  admission,
  ...(sockets
    ? { podRuntime: new KubeletClient((node) => sockets.replaceAll('{node}', node)) }
    : {}),
  ...(values['access-log'] ? { log: (line: string) => console.log(line) } : {}),
});
started = server;
if (values.kubeconfig) server.writeKubeconfig(values.kubeconfig);
console.log(`listening ${server.url}`);

exitOnSignal(() => server.stop());
