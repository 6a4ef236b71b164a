// One test node: a private OVS in its own namespace, the CNI plugin installed into a private bin
// dir with a conflist pointing at this node's agent socket, and the antrea-agent as a real
// process (so it can be SIGKILLed). Pods are network namespaces under the same prefix;
// cleanup() stops the agent (by pid) and the daemons, then removes the namespaces and files.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { AGENT_NODE_FLAGS } from '../../src/agent/nodeflags.js';
import { installCni } from '../../src/cni/install.js';
import { formatFlow } from '../../src/ovs/flowtext.js';
import { run } from '../../src/util/exec.js';
import { startOvs, type OvsFixture } from '../ovs/fixture.js';
import { CniRuntime, type Sandbox } from './runtime.js';

const AGENT_MAIN = fileURLToPath(new URL('../../src/agent/main.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

/** GET over a unix socket; resolves with status and parsed JSON body. */
export function getJson(
  socketPath: string,
  path: string,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET' }, (res) => {
      let text = '';
      res.on('data', (b: Buffer) => (text += b.toString()));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch (e) {
          reject(e as Error);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export class TestNode {
  private agent: ChildProcess | undefined;
  private pods = 0;

  private constructor(
    readonly ovs: OvsFixture,
    readonly dir: string,
    readonly podCIDR: string,
    readonly runtime: CniRuntime,
  ) {}

  /** The running agent's pid (benchmarks read its CPU time from /proc). */
  get agentPid(): number | undefined {
    return this.agent?.pid;
  }

  get cniSocket(): string {
    return join(this.dir, 'cni.sock');
  }

  get apiSocket(): string {
    return join(this.dir, 'agent.sock');
  }

  get agentLog(): string {
    return join(this.dir, 'agent.log');
  }

  /** `tag`: 1-5 lowercase letters naming the test. */
  static async start(tag: string, podCIDR: string): Promise<TestNode> {
    const ovs = await startOvs(tag);
    let dir: string | undefined;
    try {
      dir = await mkdtemp(join(tmpdir(), `${ovs.net.prefix}-cni-`));
      const { conflist } = await installCni({
        binDir: join(dir, 'bin'),
        confDir: join(dir, 'net.d'),
        socketPath: join(dir, 'cni.sock'),
      });
      return new TestNode(ovs, dir, podCIDR, new CniRuntime(conflist, join(dir, 'bin')));
    } catch (e) {
      await ovs.cleanup();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Starts antrea-agent and waits until its API answers. */
  async startAgent(): Promise<void> {
    const log = createWriteStream(this.agentLog, { flags: 'a' });
    await new Promise((resolve) => log.once('open', resolve));
    const agent = spawn(
      process.execPath,
      [
        ...AGENT_NODE_FLAGS,
        AGENT_MAIN,
        '--node-name',
        this.ovs.netns,
        '--pod-cidr',
        this.podCIDR,
        '--ovs-run-dir',
        this.ovs.daemons.dir,
        '--netns',
        this.ovs.netns,
        '--cni-socket',
        this.cniSocket,
        '--api-socket',
        this.apiSocket,
        '--state-dir',
        join(this.dir, 'state'),
        '--tunnel-type',
        'geneve',
      ],
      { stdio: ['ignore', log, log] },
    );
    this.agent = agent;
    const exited = new Promise<never>((_, reject) =>
      agent.once('exit', (code, signal) =>
        reject(
          new Error(
            `antrea-agent exited (${code ?? signal}) before it was ready; see ${this.agentLog}`,
          ),
        ),
      ),
    );
    exited.catch(() => undefined);
    for (const end = Date.now() + READY_TIMEOUT_MS; ; await Promise.race([sleep(100), exited])) {
      const ok = await getJson(this.apiSocket, '/healthz').then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return;
      if (Date.now() > end)
        throw new Error(`antrea-agent not ready in ${READY_TIMEOUT_MS} ms; see ${this.agentLog}`);
    }
  }

  /** Sends the signal to the agent this node started and waits for it to exit (SIGKILL after 10 s). */
  async stopAgent(signal: NodeJS.Signals): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    if (agent === undefined || agent.exitCode !== null || agent.signalCode !== null) return;
    const gone = new Promise((resolve) => agent.once('exit', resolve));
    agent.kill(signal);
    const late = setTimeout(() => agent.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(late);
  }

  /** A new pod sandbox: its own network namespace and a fresh container id. */
  async sandbox(name: string, namespace = 'default'): Promise<Sandbox> {
    const ns = await this.ovs.net.netns(`p${this.pods++}`);
    return {
      containerId: randomBytes(32).toString('hex'),
      netns: `/var/run/netns/${ns}`,
      namespace,
      name,
      ifName: 'eth0',
    };
  }

  /** What a pod can leave behind: OVS ports, links in the node, flows, IPAM allocations. */
  async snapshot(): Promise<{ ports: string[]; links: string[]; flows: string[]; ipam: string[] }> {
    const links = JSON.parse(await run('ip', ['-n', this.ovs.netns, '-j', 'link', 'show'])) as {
      ifname: string;
    }[];
    const state = await readFile(join(this.dir, 'state', 'ipam.json'), 'utf8');
    const allocations = (
      JSON.parse(state) as { allocations: { ip: string; containerId: string }[] }
    ).allocations;
    return {
      ports: (await this.ovs.vsctl.listInterfaces(this.ovs.bridge)).map((i) => i.name).sort(),
      links: links.map((l) => l.ifname).sort(),
      flows: (await this.ovs.ofctl.dumpFlows()).map(formatFlow).sort(),
      ipam: allocations.map((a) => `${a.ip}=${a.containerId}`),
    };
  }

  async log(): Promise<string> {
    return readFile(this.agentLog, 'utf8').catch(() => '');
  }

  async cleanup(): Promise<void> {
    await this.stopAgent('SIGTERM');
    await this.ovs.cleanup();
    await rm(this.dir, { recursive: true, force: true });
  }
}
