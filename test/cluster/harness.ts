// A local cluster of its own for a test file or a benchmark: a temporary state dir, a random
// `e2e…` prefix for its namespaces and free ports, so it never meets the default cluster (or
// another test's). Started and stopped through the launcher exactly as a user does
// (`main.js up|down` with ANTREA_* set), and inspected through what the cluster leaves on disk:
// the kubelets' pod records, pid files, the nodes' OVS sockets.
//
//   const c = await TestCluster.create();  // this process now talks to that cluster
//   const ms = await c.up();
//   …
//   await c.teardown();                     // down; throws if anything of it is left
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Deployment } from '../../src/apis/apps.js';
import type { Pod } from '../../src/apis/index.js';
import { waitFor } from '../../src/cluster/progress.js';
import { clusterLayout, layoutEnv, nodeSpecs } from '../../src/cluster/layout.js';
import type { ClusterLayout, NodeSpec } from '../../src/cluster/layout.js';
import { kubeletStateDir } from '../../src/cluster/nodekubelet.js';
import { ovsDir } from '../../src/cluster/nodeovs.js';
import { Kubectl } from '../../src/conformance/kubectl.js';
import type { PodRecord } from '../../src/kube/kubelet/record.js';
import { run } from '../../src/util/exec.js';
import { netnsInode, processTable, stillRunning, withDescendants, type Proc } from './procs.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LAUNCHER = join(REPO_ROOT, 'dist', 'src', 'cluster', 'main.js');
/** Only against a hang: `down` of a few hundred pods on a loaded machine takes minutes. */
const LAUNCHER_TIMEOUT_MS = 900_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function clusterNetns(prefix: string): Promise<string[]> {
  const out = await run('ip', ['netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(`${prefix}-`));
}

export class TestCluster {
  private running = false;
  private failed = false;

  private constructor(
    readonly layout: ClusterLayout,
    readonly nodes: readonly NodeSpec[],
    readonly kubectl: Kubectl,
  ) {}

  /** A cluster of `workers` + 1 nodes, not started yet. */
  static async create(workers = 2): Promise<TestCluster> {
    // The launcher, the node processes and clusterLayout() below all read these.
    Object.assign(process.env, {
      ANTREA_STATE_DIR: mkdtempSync(join(tmpdir(), 'antrea-e2e-')),
      ANTREA_CLUSTER_PREFIX: `e2e${randomBytes(2).toString('hex')}`,
      ANTREA_API_PORT: String(await freePort()),
      ANTREA_CONTROLLER_PORT: String(await freePort()),
    });
    const layout = clusterLayout(REPO_ROOT);
    return new TestCluster(layout, nodeSpecs(layout, workers), new Kubectl(layout.kubeconfig));
  }

  get controlPlane(): NodeSpec {
    return this.nodes[0]!;
  }

  get workers(): NodeSpec[] {
    return this.nodes.slice(1);
  }

  /** `main.js ARGS…` with this cluster's environment; its output. */
  launcher(...args: string[]): Promise<string> {
    return run(process.execPath, [LAUNCHER, ...args], {
      env: layoutEnv(this.layout),
      timeoutMs: LAUNCHER_TIMEOUT_MS,
    });
  }

  /** `up`; resolves with how long it took (ms). Also restarts missing components. */
  async up(): Promise<number> {
    this.running = true;
    const t0 = Date.now();
    await this.tracked(() => this.launcher('up', '--workers', String(this.workers.length)));
    return Date.now() - t0;
  }

  /** `down`; resolves with what is left of the cluster afterwards (see leftovers()). */
  async down(): Promise<string[]> {
    const before = await this.processes();
    await this.launcher('down');
    this.running = false;
    return this.leftovers(before);
  }

  /** Runs a test body; if it fails, teardown() keeps the cluster's logs. */
  async tracked<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (e) {
      this.failed = true;
      throw e;
    }
  }

  /**
   * `down` if still up (after a failure the logs are copied next to the state dir first), then
   * fails if any namespace, link or process of the cluster is left.
   */
  async teardown(): Promise<void> {
    if (this.failed && existsSync(this.layout.stateDir)) {
      const keep = `${this.layout.stateDir}-logs`;
      cpSync(this.layout.stateDir, keep, {
        recursive: true,
        filter: (src) => statSync(src).isDirectory() || /\.(log|json)$/.test(src),
      });
      console.log(`# logs of the failed cluster kept in ${keep}`);
    }
    const left = this.running ? await this.down() : await this.leftovers([]);
    if (left.length > 0) throw new Error(`left behind by down:\n  ${left.join('\n  ')}`);
  }

  /**
   * Every process of the cluster: those naming its state dir or prefix, those inside its
   * namespaces (pods' containers), and their descendants.
   */
  async processes(): Promise<Proc[]> {
    // `<prefix>-host` names this (the root) namespace: being in it says nothing.
    const own = statSync('/proc/self/ns/net').ino;
    const inodes = new Set(
      (await clusterNetns(this.layout.prefix)).map(netnsInode).filter((i) => i !== own),
    );
    const table = processTable().filter((p) => p.pid !== process.pid);
    const roots = table.filter(
      (p) =>
        p.cmdline.includes(this.layout.stateDir) ||
        p.cmdline.includes(`${this.layout.prefix}-`) ||
        (p.netns !== undefined && inodes.has(p.netns)),
    );
    return withDescendants(table, roots);
  }

  /**
   * What of the cluster still exists: its namespaces, links named after it in this namespace,
   * its processes (found now, or in `before`, a snapshot taken while it ran), its state dir.
   */
  async leftovers(before: readonly Proc[]): Promise<string[]> {
    const prefix = this.layout.prefix;
    const left = (await clusterNetns(prefix)).map((n) => `netns ${n}`);
    const links = await run('ip', ['-o', 'link', 'show']);
    for (const line of links.split('\n'))
      if (line.includes(prefix)) left.push(`link ${line.split(':')[1]?.trim()}`);
    const procs = new Map((await this.processes()).map((p) => [p.pid, p]));
    for (const p of before) if (stillRunning(p)) procs.set(p.pid, p);
    for (const p of procs.values()) left.push(`process ${p.pid}: ${p.cmdline}`);
    if (existsSync(this.layout.stateDir)) left.push(`state dir ${this.layout.stateDir}`);
    // Pods' resolv.conf files, kept by `ip netns exec` convention under /etc/netns.
    const etcNetns = existsSync('/etc/netns') ? readdirSync('/etc/netns') : [];
    for (const n of etcNetns) if (n.startsWith(`${prefix}-`)) left.push(`/etc/netns/${n}`);
    return left;
  }

  /** The kubelet's pod records of a node (read only: the kubelet may be writing them). */
  podRecords(node: NodeSpec): PodRecord[] {
    const dir = join(kubeletStateDir(node), 'pods');
    const records: PodRecord[] = [];
    for (const uid of existsSync(dir) ? readdirSync(dir) : []) {
      try {
        records.push(JSON.parse(readFileSync(join(dir, uid, 'pod.json'), 'utf8')) as PodRecord);
      } catch {
        // being created or removed right now
      }
    }
    return records;
  }

  /** Polls (every `pollMs`) until Deployment `namespace/name` has `replicas` ready. */
  async deploymentReady(
    namespace: string,
    name: string,
    replicas: number,
    timeoutMs: number,
    pollMs?: number,
  ): Promise<void> {
    await waitFor(
      `${namespace}/${name} ${replicas}/${replicas} ready`,
      async () => {
        const d = await this.kubectl.json<Deployment>(['get', 'deployment', '-n', namespace, name]);
        return d.status?.readyReplicas === replicas ? true : undefined;
      },
      timeoutMs,
      pollMs,
    );
  }

  /** The network namespace of a pod, from its kubelet's record. */
  podNetns(namespace: string, name: string): string {
    for (const node of this.nodes) {
      const r = this.podRecords(node).find((x) => x.namespace === namespace && x.name === name);
      if (r?.netns !== undefined && !r.hostNetwork) return r.netns;
    }
    throw new Error(`no netns recorded for pod ${namespace}/${name}`);
  }

  /**
   * The process of a running container: the kubelet records the wrapper shell that runs each
   * container's command; the command is its child.
   */
  containerProcess(node: NodeSpec, podPrefix: string, container: string): Proc | undefined {
    const record = this.podRecords(node).find((r) => r.name.startsWith(podPrefix));
    const wrapper = record?.containers.find((c) => c.name === container)?.running?.pid;
    if (wrapper === undefined) return undefined;
    return processTable().find((p) => p.ppid === wrapper);
  }

  /** The pid in pids/NAME.pid of a control-plane process (the launcher's record). */
  launcherPid(name: string): number {
    return Number(readFileSync(join(this.layout.pidsDir, `${name}.pid`), 'utf8').split('\n')[0]);
  }

  /**
   * The cluster's long-running processes by role, node names without the prefix
   * (`antrea-agent.worker2`): what the launcher started (API server, kube controllers, a
   * kubelet per node), Antrea's containers, each node's OVS daemons.
   */
  components(): { name: string; pid: number }[] {
    const short = (node: NodeSpec) => node.name.slice(this.layout.prefix.length + 1);
    const out: { name: string; pid: number }[] = [];
    for (const f of readdirSync(this.layout.pidsDir).filter((x) => x.endsWith('.pid'))) {
      const name = f.slice(0, -4).replace(`node-${this.layout.prefix}-`, 'kubelet.');
      out.push({ name, pid: this.launcherPid(f.slice(0, -4)) });
    }
    const ctrl = this.containerProcess(
      this.controlPlane,
      'antrea-controller-',
      'antrea-controller',
    );
    if (ctrl) out.push({ name: 'antrea-controller', pid: ctrl.pid });
    for (const node of this.nodes) {
      for (const container of ['antrea-agent', 'antrea-ovs']) {
        const p = this.containerProcess(node, 'antrea-agent-', container);
        if (p) out.push({ name: `${container}.${short(node)}`, pid: p.pid });
      }
      for (const daemon of ['ovs-vswitchd', 'ovsdb-server']) {
        const pid = Number(readFileSync(join(ovsDir(node), `${daemon}.pid`), 'utf8'));
        out.push({ name: `${daemon}.${short(node)}`, pid });
      }
    }
    return out;
  }

  /**
   * The node's OpenFlow flows without counters, sorted: what must survive a fault. Conjunction
   * ids (and the rule id copied into reg6) are blanked: they are the agent's own numbering,
   * which may come out different after a restart without changing any verdict.
   */
  async flows(node: NodeSpec): Promise<string[]> {
    const out = await run('ovs-ofctl', [
      '-O',
      'OpenFlow15',
      'dump-flows',
      '--no-stats',
      `unix:${join(ovsDir(node), 'br-int.mgmt')}`,
    ]);
    return (
      out
        .split('\n')
        .map((l) =>
          l
            .trim()
            .replace(/conj_id=\d+/, 'conj_id=#')
            .replace(/conjunction\(\d+,/g, 'conjunction(#,')
            .replace(/set_field:0x[0-9a-f]+->reg6/, 'set_field:#->reg6'),
        )
        // Service tables follow Endpoints, which legitimately change while a component's pod
        // (e.g. the controller behind Service kube-system/antrea) restarts.
        .filter((l) => l.startsWith('table=') && !/^table=(40|41|42|106),/.test(l))
        .sort()
    );
  }

  /** The antrea-agent Pod of a node. */
  async agentPod(node: NodeSpec): Promise<Pod> {
    const pods = await this.kubectl.json<{ items: Pod[] }>([
      'get',
      'pods',
      '-n',
      'kube-system',
      '-l',
      'component=antrea-agent',
    ]);
    const pod = pods.items.find((p) => p.spec?.nodeName === node.name);
    if (!pod) throw new Error(`no antrea-agent pod on ${node.name}`);
    return pod;
  }

  /** `kubectl exec` into the node's antrea-ovs container, as walkthrough step 5 does. */
  async ovsExec(node: NodeSpec, ...cmd: string[]): Promise<string> {
    const pod = await this.agentPod(node);
    return this.kubectl.run([
      'exec',
      '-n',
      'kube-system',
      pod.metadata.name!,
      '-c',
      'antrea-ovs',
      '--',
      ...cmd,
    ]);
  }
}
