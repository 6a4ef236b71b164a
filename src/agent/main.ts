#!/usr/bin/env node
// antrea-agent: one per node. Attaches to the node's running OVS (the antrea-ovs container's
// daemons), bootstraps br-int, installs the static pipeline, restores the pods attached before
// (store from OVSDB, addresses, flows — never deleting any, so a restart keeps traffic going),
// then serves the CNI plugin and antctl on unix sockets.
//
//   antrea-agent --node-name N --pod-cidr 10.10.1.0/24 --ovs-run-dir DIR [--netns NODE_NS]
//                [--cni-socket PATH] [--api-socket PATH] [--state-dir DIR]
//                [--tunnel-type geneve|none] [--datapath-type netdev|system]
//                [--antrea-policy true|false] [--kubeconfig PATH] [--controller URL]
import { existsSync, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_CNI_SOCKET } from '../cni/spec.cjs';
import { OvsDaemons } from '../ovs/daemons.js';
import { DatapathPurger } from '../ovs/datapathpurge.js';
import { Ofctl } from '../ovs/ofctl.js';
import { OvsdbPorts } from '../ovs/ports.js';
import { Vsctl } from '../ovs/vsctl.js';
import { DEFAULT_API_SOCKET } from './apiserver/client.js';
import { podInterfaces } from './apiserver/podinterfaces.js';
import { AgentApiServer } from './apiserver/server.js';
import { bootstrapNode } from './bootstrap/bootstrap.js';
import { PodLinks } from './cniserver/links.js';
import { PodNetwork } from './cniserver/pods.js';
import { BatchedPodFlows } from './cniserver/podflows.js';
import { restorePods } from './cniserver/restore.js';
import { CniServer } from './cniserver/server.js';
import type { InterfaceStore } from './interfacestore/store.js';
import { Ipam } from './ipam/ipam.js';
import { PodSubnet } from './ipam/subnet.js';
import { OpenflowClient } from './openflow/client.js';
import { startPolicyAgent } from './policyagent.js';
import { BRIDGE_NAME } from './openflow/types.js';

const DEFAULT_STATE_DIR = '/var/lib/antrea';
const STOP_GRACE_MS = 5000;
/** How long to wait for the antrea-ovs container's database socket. */
const OVS_WAIT_MS = 30_000;

export interface AgentConfig {
  readonly nodeName: string;
  readonly podCIDR: string;
  /** OVS_RUNDIR of the node's daemons: db.sock and BRIDGE.mgmt live there. */
  readonly ovsRunDir: string;
  /** The node's network namespace by name; absent: the agent's own. */
  readonly netns?: string;
  readonly cniSocket: string;
  readonly apiSocket: string;
  /** IPAM state lives here. */
  readonly stateDir: string;
  readonly tunnel: 'geneve' | 'none';
  readonly datapathType: 'netdev' | 'system';
  readonly antreaPolicy: boolean;
  /**
   * Where the agent's Kubernetes-facing parts (policy watch, AgentInfo) reach the API server and
   * antrea-controller; pod networking needs neither.
   */
  readonly kubeconfig?: string;
  readonly controller?: string;
}

export interface Agent {
  readonly store: InterfaceStore;
  readonly ipam: Ipam;
  readonly flows: OpenflowClient;
  readonly api: AgentApiServer;
  /** The node's OVS daemons (antctl's flow dumps and traces reach them). */
  readonly ovs: OvsDaemons;
  /** Stops serving; pods, ports and flows stay as they are. */
  close(): Promise<void>;
}

export async function startAgent(cfg: AgentConfig, log: (msg: string) => void): Promise<Agent> {
  const subnet = PodSubnet.parse(cfg.podCIDR);
  const ovs = OvsDaemons.attach({ dir: cfg.ovsRunDir, netns: cfg.netns });
  for (const end = Date.now() + OVS_WAIT_MS; !existsSync(ovs.dbSocket); await sleep(100)) {
    if (Date.now() > end)
      throw new Error(`OVS database socket ${ovs.dbSocket} did not appear in ${OVS_WAIT_MS} ms`);
  }
  // The OVS tools reach the daemons through their unix sockets, so they run in the agent's
  // namespace (entering the node's would cost a process per call).
  const vsctl = new Vsctl({ dbSocket: ovs.dbSocket });
  const ofctl = new Ofctl({ target: ovs.mgmtSocket(BRIDGE_NAME) });
  const node = await bootstrapNode(
    {
      bridge: BRIDGE_NAME,
      subnet,
      netns: cfg.netns,
      tunnel: cfg.tunnel,
      datapathType: cfg.datapathType,
      antreaPolicy: cfg.antreaPolicy,
    },
    vsctl,
  );
  const { store } = node;
  await mkdir(cfg.stateDir, { recursive: true });
  const ipam = Ipam.open(join(cfg.stateDir, 'ipam.json'), subnet);
  const purger = new DatapathPurger(ovs.vswitchdCtl, log);
  // Every bundle, once committed, also clears the datapath's cached megaflows (see
  // DatapathPurger); not awaited: the OpenFlow tables are already right.
  const flows = new OpenflowClient(
    {
      applyBundle: async (changes, groups) => {
        await ofctl.applyBundle(changes, groups);
        void purger.request();
      },
    },
    node.config,
  );
  await flows.initialize();
  const podFlows = new BatchedPodFlows(flows);
  await restorePods(store, ipam, podFlows, log);

  // Pod ports go through one OVSDB connection: an ovs-vsctl process per ADD is most of its time.
  const ports = await OvsdbPorts.connect(ovs.dbSocket);
  const links = new PodLinks(cfg.netns);
  const pods = new PodNetwork({
    bridge: BRIDGE_NAME,
    ipam,
    store,
    ports,
    ofctl,
    flows: podFlows,
    links,
    log,
  });
  const cni = new CniServer(pods, log);
  const api = new AgentApiServer().route('/podinterfaces', (q) => podInterfaces(store, q));
  await cni.listen(cfg.cniSocket);
  await api.listen(cfg.apiSocket);
  log(
    `antrea-agent ready on node ${cfg.nodeName}: PodCIDR ${subnet.cidr}, gateway ${subnet.gateway}, ` +
      `CNI socket ${cfg.cniSocket}, API socket ${cfg.apiSocket}`,
  );
  return {
    store,
    ipam,
    flows,
    api,
    ovs,
    close: async () => {
      await Promise.all([cni.close(), api.close()]);
      ports.close();
      links.close();
      // The ovs-ofctl kept waiting for the next bundle is stopped by its pid.
      await ofctl.close();
    },
  };
}

export function parseAgentFlags(argv: string[], env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      'node-name': { type: 'string', default: env.NODE_NAME },
      'pod-cidr': { type: 'string' },
      'ovs-run-dir': { type: 'string' },
      netns: { type: 'string' },
      'cni-socket': { type: 'string', default: DEFAULT_CNI_SOCKET },
      'api-socket': { type: 'string', default: DEFAULT_API_SOCKET },
      'state-dir': { type: 'string', default: DEFAULT_STATE_DIR },
      'tunnel-type': { type: 'string', default: 'geneve' },
      'datapath-type': { type: 'string', default: 'netdev' },
      'antrea-policy': { type: 'string', default: 'true' },
      kubeconfig: { type: 'string' },
      controller: { type: 'string' },
    },
    strict: true,
  });
  const required = (name: 'node-name' | 'pod-cidr' | 'ovs-run-dir'): string => {
    const v = values[name];
    if (v === undefined || v === '') throw new Error(`--${name} is required`);
    return v;
  };
  const oneOf = <T extends string>(name: string, choices: readonly T[]): T => {
    const v = values[name as keyof typeof values];
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
      throw new Error(`--${name} ${String(v)}: want ${choices.join(' or ')}`);
    }
    return v as T;
  };
  return {
    nodeName: required('node-name'),
    podCIDR: required('pod-cidr'),
    ovsRunDir: required('ovs-run-dir'),
    ...(values.netns === undefined ? {} : { netns: values.netns }),
    cniSocket: values['cni-socket'] as string,
    apiSocket: values['api-socket'] as string,
    stateDir: values['state-dir'] as string,
    tunnel: oneOf('tunnel-type', ['geneve', 'none']),
    datapathType: oneOf('datapath-type', ['netdev', 'system']),
    antreaPolicy: oneOf('antrea-policy', ['true', 'false']) === 'true',
    ...(values.kubeconfig === undefined ? {} : { kubeconfig: values.kubeconfig }),
    ...(values.controller === undefined ? {} : { controller: values.controller }),
  };
}

async function main(): Promise<void> {
  const log = (msg: string): void =>
    void process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
  const cfg = parseAgentFlags(process.argv.slice(2));
  const agent = await startAgent(cfg, log);
  let cluster: { close(): void } | undefined;
  if (cfg.kubeconfig !== undefined && cfg.controller !== undefined) {
    const policyAgent = startPolicyAgent(
      { nodeName: cfg.nodeName, controller: cfg.controller },
      agent,
      log,
    );
    // Loaded only now: @kubernetes/client-node takes 0.5-2 s to load here, and the policy
    // path above need not wait for it.
    const { startClusterAgent } = await import('./clusteragent.js');
    const services = await startClusterAgent(
      {
        nodeName: cfg.nodeName,
        podCIDR: cfg.podCIDR,
        ...(cfg.netns !== undefined ? { netns: cfg.netns } : {}),
        kubeconfig: cfg.kubeconfig,
        controller: cfg.controller,
        ovsVersion: await new Vsctl({
          dbSocket: OvsDaemons.attach({ dir: cfg.ovsRunDir }).dbSocket,
        }).version(),
      },
      agent,
      policyAgent,
      log,
    );
    cluster = {
      close: () => {
        policyAgent.watcher.stop();
        services.close();
      },
    };
  }
  const stop = (signal: string): void => {
    log(`${signal}: stopping (pods and flows stay)`);
    cluster?.close();
    // A CNI request in flight may hold the server open; it is not worth more than a grace period.
    setTimeout(() => process.exit(0), STOP_GRACE_MS).unref();
    void agent.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// Run only as the entry point (bin links resolved), not when imported.
if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href
) {
  main().catch((e: unknown) => {
    process.stderr.write(`antrea-agent: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
