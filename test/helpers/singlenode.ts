// A single node for tests: its own network namespace with one private OVS (br-int, netdev
// datapath), the gateway antrea-gw0 (internal port with the first address of the PodCIDR), the
// tunnel port antrea-tun0, N pods as namespaces with a veth into br-int (TX offload off), the
// pipeline installed by the real OpenflowClient, and the policy controller fed controlplane
// objects directly. Each pod runs one process serving TCP/UDP and probing others on request.
// Everything lives under one random prefix; stop() removes exactly it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Protocol } from '../../src/apis/index.js';
import { OpenflowClient, Owner } from '../../src/agent/openflow/client.js';
import {
  BRIDGE_NAME,
  GATEWAY_PORT_NAME,
  TUNNEL_PORT_NAME,
  type PodInterface,
} from '../../src/agent/openflow/types.js';
import {
  NetworkPolicyController,
  type PolicyEvent,
} from '../../src/agent/networkpolicy/controller.js';
import type { InterfaceLookup } from '../../src/agent/networkpolicy/types.js';
import { OvsDaemons } from '../../src/ovs/daemons.js';
import type { DumpedFlow, Flow } from '../../src/ovs/flow.js';
import { Ofctl } from '../../src/ovs/ofctl.js';
import { trace, type TraceResult } from '../../src/ovs/trace.js';
import { Vsctl } from '../../src/ovs/vsctl.js';
import { run, type RunOptions } from '../../src/util/exec.js';
import { TestNet } from './netns.js';

export interface PodSpec {
  readonly name: string;
  readonly namespace?: string;
}

export interface SingleNodeOptions {
  /** 1-5 lowercase letters naming the test (namespaces are `TAG<random>-…`). */
  readonly tag: string;
  readonly pods?: readonly PodSpec[];
  /** /24 of the node; the gateway takes .1, pods .2 onwards. */
  readonly podSubnet?: string;
  readonly antreaPolicy?: boolean;
  /** Ports every pod serves (default TCP and UDP 80 and 81, as the conformance model). */
  readonly serve?: { readonly tcp: readonly number[]; readonly udp: readonly number[] };
}

export interface TestPod extends PodInterface {
  readonly netns: string;
  readonly ip: string;
}

/**
 * The process each pod runs: every TCP port in `tcp` answers HTTP with `namespace/name`, every
 * UDP port echoes it; stdin takes probe requests (one JSON line each: targets, port, protocol,
 * timeout) and stdout answers which targets were reached — a TCP connection established, a UDP
 * reply received. One long-lived process per pod makes a 9×9 matrix one parallel round trip.
 */
const POD_AGENT = `
const [name, tcp, udp] = [process.argv[1], JSON.parse(process.argv[2]), JSON.parse(process.argv[3])];
const http = require('node:http'), dgram = require('node:dgram'), net = require('node:net');
for (const p of tcp) http.createServer((q, r) => r.end(name)).listen(p, '0.0.0.0');
for (const p of udp) {
  const s = dgram.createSocket('udp4');
  s.on('message', (m, from) => s.send(name, from.port, from.address));
  s.bind(p, '0.0.0.0');
}
const tcpProbe = (ip, port, ms) => new Promise((done) => {
  const s = net.connect({ host: ip, port });
  const end = (v) => { clearTimeout(t); s.destroy(); done(v); };
  const t = setTimeout(() => end(false), ms);
  s.on('connect', () => end(true));
  s.on('error', () => end(false));
});
const udpProbe = (ip, port, ms) => new Promise((done) => {
  const s = dgram.createSocket('udp4');
  const end = (v) => { clearTimeout(t); s.close(); done(v); };
  const t = setTimeout(() => end(false), ms);
  s.on('message', () => end(true));
  s.on('error', () => end(false));
  s.send('probe', port, ip);
});
require('node:readline').createInterface({ input: process.stdin }).on('line', async (line) => {
  const q = JSON.parse(line);
  const probe = q.protocol === 'UDP' ? udpProbe : tcpProbe;
  const results = await Promise.all(q.targets.map((ip) => probe(ip, q.port, q.timeoutMs)));
  process.stdout.write(JSON.stringify({ id: q.id, results }) + '\\n');
});
setTimeout(() => process.stdout.write('{"ready":true}\\n'), 50);
`;

/** The pod's agent process and its outstanding probe requests. */
class PodAgent {
  private nextID = 1;
  private readonly pending = new Map<number, (results: boolean[]) => void>();
  readonly ready: Promise<void>;

  constructor(readonly child: ChildProcess) {
    let ready: () => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      ready = resolve;
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`pod agent exited (${code})`)));
    });
    // A dead agent answers nothing: its outstanding probes fail instead of hanging the test.
    child.once('exit', () => {
      for (const settle of this.pending.values()) settle([]);
      this.pending.clear();
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { ready?: true; id?: number; results?: boolean[] };
      if (msg.ready) ready();
      else if (msg.id !== undefined) {
        this.pending.get(msg.id)?.(msg.results ?? []);
        this.pending.delete(msg.id);
      }
    });
  }

  probe(
    targets: readonly string[],
    port: number,
    protocol: Protocol,
    timeoutMs: number,
  ): Promise<boolean[]> {
    const id = this.nextID++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin!.write(JSON.stringify({ id, targets, port, protocol, timeoutMs }) + '\n');
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await gone;
  }
}

class Interfaces implements InterfaceLookup {
  readonly pods = new Map<string, TestPod>();
  podInterface(namespace: string, name: string): PodInterface | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }
}

export class SingleNode {
  readonly interfaces = new Interfaces();
  private readonly agents = new Map<string, PodAgent>();
  private nextHost = 2;
  daemons: OvsDaemons | undefined;
  dir = '';
  nodeNetns = '';
  vsctl!: Vsctl;
  ofctl!: Ofctl;
  client!: OpenflowClient;
  policy!: NetworkPolicyController;
  gatewayIP = '';
  gatewayMAC = '';

  private constructor(
    readonly net: TestNet,
    readonly podSubnet: string,
    private readonly serves: { readonly tcp: readonly number[]; readonly udp: readonly number[] },
  ) {}

  static async start(opts: SingleNodeOptions): Promise<SingleNode> {
    const serves = opts.serve ?? { tcp: [80, 81], udp: [80, 81] };
    const node = new SingleNode(new TestNet(opts.tag), opts.podSubnet ?? '10.10.0', serves);
    try {
      await node.setUp(opts);
    } catch (e) {
      await node.stop();
      throw e;
    }
    return node;
  }

  private async setUp(opts: SingleNodeOptions): Promise<void> {
    this.nodeNetns = await this.netns('node');
    this.dir = await mkdtemp(join(tmpdir(), `${this.net.prefix}-`));
    this.daemons = await OvsDaemons.start({ dir: this.dir, netns: this.nodeNetns });
    this.vsctl = new Vsctl({ dbSocket: this.daemons.dbSocket });
    this.ofctl = new Ofctl({ target: this.daemons.mgmtSocket(BRIDGE_NAME) });
    await this.vsctl.addBridge(BRIDGE_NAME, { datapathType: 'netdev', failMode: 'secure' });
    const tun = await this.vsctl.addPort(BRIDGE_NAME, TUNNEL_PORT_NAME, {
      type: 'geneve',
      options: { remote_ip: 'flow', key: 'flow', csum: 'true' },
      ofportRequest: 1,
    });
    const gw = await this.vsctl.addPort(BRIDGE_NAME, GATEWAY_PORT_NAME, {
      type: 'internal',
      ofportRequest: 2,
    });
    this.gatewayIP = `${this.podSubnet}.1`;
    await this.ip(['addr', 'add', `${this.gatewayIP}/24`, 'dev', GATEWAY_PORT_NAME]);
    await this.ip(['link', 'set', GATEWAY_PORT_NAME, 'up']);
    this.gatewayMAC = await macOf(this.nodeNetns, GATEWAY_PORT_NAME);
    this.client = new OpenflowClient(this.ofctl, {
      gateway: { ofport: gw.ofport, ip: this.gatewayIP, mac: this.gatewayMAC },
      tunnelOFPort: tun.ofport,
      antreaPolicy: opts.antreaPolicy ?? true,
    });
    await this.client.initialize();
    this.policy = new NetworkPolicyController(this.client, this.interfaces);
    for (const p of opts.pods ?? []) await this.addPod(p);
  }

  /**
   * A namespace without IPv6: the pipeline is IPv4, and IPv6 chatter (router solicitations)
   * would only add to the drop counters that the tests read.
   */
  private async netns(suffix: string): Promise<string> {
    const ns = await this.net.netns(suffix);
    await run(
      'sysctl',
      ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'],
      { netns: ns },
    );
    return ns;
  }

  private ip(args: string[]): Promise<string> {
    return run('ip', ['-n', this.nodeNetns, ...args]);
  }

  /** A pod namespace with eth0 into br-int, its flows installed, the policy controller told. */
  async addPod(spec: PodSpec): Promise<TestPod> {
    const namespace = spec.namespace ?? 'default';
    const host = this.nextHost++;
    const netns = await this.netns(`p${host}`);
    const ifName = `${spec.name.slice(0, 8)}-${randomBytes(3).toString('hex')}`;
    const ip = `${this.podSubnet}.${host}`;
    await this.net.veth(
      { name: ifName, netns: this.nodeNetns },
      { name: 'eth0', netns, address: `${ip}/24` },
    );
    await run('ip', ['-n', netns, 'route', 'add', 'default', 'via', this.gatewayIP]);
    const port = await this.vsctl.addPort(BRIDGE_NAME, ifName, {
      externalIds: { 'pod-name': spec.name, 'pod-namespace': namespace },
    });
    const pod: TestPod = {
      namespace,
      podName: spec.name,
      ifName,
      ofport: port.ofport,
      ips: [ip],
      ip,
      mac: await macOf(netns, 'eth0'),
      netns,
    };
    const agent = new PodAgent(
      spawn(
        'ip',
        [
          'netns',
          'exec',
          netns,
          process.execPath,
          '-e',
          POD_AGENT,
          `${namespace}/${spec.name}`,
          JSON.stringify(this.serves.tcp),
          JSON.stringify(this.serves.udp),
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      ),
    );
    this.agents.set(`${namespace}/${spec.name}`, agent);
    await agent.ready;
    this.interfaces.pods.set(`${namespace}/${spec.name}`, pod);
    await this.client.installPod(pod);
    await this.policy.apply([{ kind: 'PodInterface', namespace, name: spec.name }]);
    return pod;
  }

  pod(name: string, namespace = 'default'): TestPod {
    const p = this.interfaces.pods.get(`${namespace}/${name}`);
    if (p === undefined) throw new Error(`no pod ${namespace}/${name}`);
    return p;
  }

  /** Runs a command inside the pod's namespace. */
  exec(
    pod: TestPod,
    cmd: string,
    args: readonly string[],
    opts: Omit<RunOptions, 'netns'> = {},
  ): Promise<string> {
    return run(cmd, args, { ...opts, netns: pod.netns });
  }

  /**
   * From `from`, probes each target address on the port: reached (TCP established, UDP answered)
   * or not within `timeoutMs`. All targets in parallel.
   */
  probe(
    from: TestPod,
    targets: readonly string[],
    port: number,
    protocol: Protocol,
    timeoutMs = 1000,
  ): Promise<boolean[]> {
    return this.agent(from).probe(targets, port, protocol, timeoutMs);
  }

  private agent(pod: TestPod): PodAgent {
    const a = this.agents.get(`${pod.namespace}/${pod.podName}`);
    if (a === undefined) throw new Error(`pod ${pod.namespace}/${pod.podName} has no agent`);
    return a;
  }

  /**
   * Feeds controlplane objects to the agent's policy controller; resolves once realized. The
   * datapath's cached megaflows are revalidated asynchronously after a flow change, so a probe
   * sent right away could still take a stale decision: the cache is purged first.
   */
  async apply(events: readonly PolicyEvent[]): Promise<number> {
    const changes = await this.policy.apply(events);
    await run('ovs-appctl', ['-t', this.daemons!.vswitchdCtl, 'revalidator/purge']);
    return changes;
  }

  trace(flow: string): Promise<TraceResult> {
    return trace({ vswitchdCtl: this.daemons!.vswitchdCtl, bridge: BRIDGE_NAME, flow });
  }

  dumpFlows(table?: number): Promise<DumpedFlow[]> {
    return this.ofctl.dumpFlows(table === undefined ? {} : { table });
  }

  podFlows(pod: TestPod): Flow[] {
    return this.client.ownerFlows(Owner.pod(pod.namespace, pod.podName));
  }

  /** Stops the servers and OVS (by pid) and deletes every namespace, link and file of this node. */
  async stop(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.stop()));
    await this.ofctl?.close(); // its waiting ovs-ofctl, if any
    await this.daemons?.stop();
    await this.net.cleanup();
    if (this.dir !== '') await rm(this.dir, { recursive: true, force: true });
  }
}

async function macOf(netns: string, dev: string): Promise<string> {
  const [link] = JSON.parse(await run('ip', ['-n', netns, '-j', 'link', 'show', dev])) as {
    address: string;
  }[];
  return link.address;
}
