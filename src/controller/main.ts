#!/usr/bin/env node
// antrea-controller: watches the Kubernetes API, computes internal NetworkPolicies and groups,
// serves them to agents by span, and heartbeats its AntreaControllerInfo.
import { Command } from 'commander';
import { CRD_API_VERSION } from '../apis/index.js';
import { loadKubeConfig, upsertClusterCustomObject } from '../util/kubeclient.js';
import { ControlPlaneServer } from './apiserver/server.js';
import { startPolicyInformers } from './informers.js';
import { NetworkPolicyController } from './networkpolicy/controller.js';
import { startServiceExternalIPController } from './serviceexternalip/start.js';

export const CONTROLLER_API_PORT = 10349;
const HEARTBEAT_MS = 30_000;
const VERSION = 'v0.1.0';

interface Options {
  kubeconfig?: string;
  port: string;
  podName?: string;
  podNamespace: string;
  nodeName?: string;
}

const log = (msg: string) =>
  process.stderr.write(`${new Date().toISOString()} antrea-controller ${msg}\n`);

async function main(): Promise<void> {
  const opts = new Command('antrea-controller')
    .option(
      '--kubeconfig <path>',
      'kubeconfig of the Kubernetes API (default: in-cluster or ~/.kube/config)',
    )
    .option('--port <port>', 'controlplane API port on 127.0.0.1', String(CONTROLLER_API_PORT))
    .option('--pod-name <name>', 'this controller’s Pod, for AntreaControllerInfo')
    .option('--pod-namespace <ns>', 'this controller’s Pod namespace', 'kube-system')
    .option('--node-name <name>', 'the Node it runs on, for AntreaControllerInfo')
    .parse()
    .opts<Options>();
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: invalid value "${opts.port}"`);

  const kc = loadKubeConfig(opts.kubeconfig);
  const controller = new NetworkPolicyController();
  const server = new ControlPlaneServer(controller);
  const stopInformers = await startPolicyInformers(kc, controller, log);
  await startServiceExternalIPController(kc, log);
  const bound = await server.listen(port);
  log(`serving the controlplane API on 127.0.0.1:${bound}`);

  const heartbeat = async () => {
    const snap = {
      networkPolicyNum: controller.networkPolicyNames().length,
      addressGroupNum: controller.groupNames('AddressGroup').length,
      appliedToGroupNum: controller.groupNames('AppliedToGroup').length,
    };
    await upsertClusterCustomObject(kc, 'antreacontrollerinfos', {
      apiVersion: CRD_API_VERSION,
      kind: 'AntreaControllerInfo',
      metadata: { name: 'antrea-controller' },
      version: VERSION,
      ...(opts.podName
        ? { podRef: { kind: 'Pod', namespace: opts.podNamespace, name: opts.podName } }
        : {}),
      ...(opts.nodeName ? { nodeRef: { kind: 'Node', name: opts.nodeName } } : {}),
      serviceRef: { kind: 'Service', namespace: 'kube-system', name: 'antrea' },
      networkPolicyControllerInfo: snap,
      connectedAgentNum: new Set(server.connectedNodes()).size,
      controllerConditions: [
        { type: 'ControllerHealthy', status: 'True', lastHeartbeatTime: new Date().toISOString() },
      ],
      apiPort: bound,
    }).catch((e: unknown) =>
      log(`AntreaControllerInfo: ${e instanceof Error ? e.message : String(e)}`),
    );
  };
  await heartbeat();
  const timer = setInterval(() => void heartbeat(), HEARTBEAT_MS);

  const shutdown = async () => {
    clearInterval(timer);
    stopInformers();
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((e: unknown) => {
  log(`fatal: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
