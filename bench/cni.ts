// CNI benchmarks: the plugin run as containerd runs it (exec, CNI_* environment, config on
// stdin) against a real agent and OVS, timed from exec to exit — so each figure includes the
// plugin's own start. ADD and DEL of 100 pods one after the other and of 20 at once, and the
// plugin's start alone (VERSION, answered without the agent) next to a bare `node -e 0`. Next
// to the ADD latencies, the CPU time per pod of the agent (with its child processes) and of
// ovs-vswitchd: on this shared machine it moves far less with the load than latencies do.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCni } from '../src/cni/install.js';
import { TestNode } from '../test/cni/node.js';
import { execPlugin, type PluginRun, type Sandbox } from '../test/cni/runtime.js';
import { percentile, report } from './report.js';

const SEQUENTIAL = 100;
const CONCURRENT = 20;
const STARTS = 30;

function reportLatencies(bench: string, ms: readonly number[]): void {
  report(bench, 'p50-ms', percentile(ms, 50));
  report(bench, 'p99-ms', percentile(ms, 99));
}

/** The machine is shared: the load when a run starts says how comparable its figures are. */
function reportLoad(bench: string): void {
  report(bench, 'loadavg-per-core', loadavg()[0] / cpus().length);
}

/** utime, stime, cutime, cstime and ppid of a process, from /proc (undefined once it is gone). */
function procStat(pid: number): { ticks: number; ppid: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return { ticks, ppid: Number(fields[1]) };
}

/**
 * CPU time (ms) a process and all its descendants have used: its own and its waited-for
 * children's (utime+stime+cutime+cstime), plus the same of every descendant still running —
 * the agent keeps helper processes (shells, ovs-ofctl) whose work is not in its cutime yet.
 */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const p = Number(entry);
    const s = Number.isInteger(p) ? procStat(p) : undefined;
    if (s !== undefined) parents.set(p, s.ppid);
  }
  const tree = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, ppid] of parents) {
      if (!tree.has(p) && tree.has(ppid)) {
        tree.add(p);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const p of tree) ticks += procStat(p)?.ticks ?? 0;
  return ticks * 10; // USER_HZ is 100 on Linux
}

/**
 * Runs `body` and reports the CPU time per pod that the agent (with every process it ran or
 * keeps: shells, ip, ethtool, ovs-ofctl) and ovs-vswitchd spent on it: unlike latencies, this
 * hardly moves with the load that other work puts on the machine.
 */
async function reportCpu(
  bench: string,
  node: TestNode,
  pods: number,
  body: () => Promise<void>,
): Promise<void> {
  const vswitchd = Number(readFileSync(join(node.ovs.daemons.dir, 'ovs-vswitchd.pid'), 'utf8'));
  const before = [cpuMs(node.agentPid), cpuMs(vswitchd)];
  await body();
  report(bench, 'agent-cpu-ms-per-pod', (cpuMs(node.agentPid) - before[0]) / pods);
  report(bench, 'vswitchd-cpu-ms-per-pod', (cpuMs(vswitchd) - before[1]) / pods);
}

async function withNode(
  tag: string,
  cidr: string,
  body: (node: TestNode) => Promise<void>,
): Promise<void> {
  const node = await TestNode.start(tag, cidr);
  try {
    await node.startAgent();
    await body(node);
  } finally {
    await node.cleanup();
  }
}

async function sandboxes(node: TestNode, n: number): Promise<Sandbox[]> {
  const out: Sandbox[] = [];
  // Namespaces are set up before timing starts, a few at a time.
  for (let i = 0; i < n; i += 10) {
    const batch = Array.from({ length: Math.min(10, n - i) }, (_, j) =>
      node.sandbox(`bench-pod-${i + j}`),
    );
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

/** ADD as the agent timed it (request in to answer out), from its log: the plugin's share is the rest. */
async function agentAddTimes(node: TestNode): Promise<number[]> {
  return [...(await node.log()).matchAll(/ ADD \S+ pod .* in (\d+) ms$/gm)].map((m) =>
    Number(m[1]),
  );
}

function check(what: string, r: { code: number; stdout: string }): void {
  if (r.code !== 0) throw new Error(`${what} failed: ${r.stdout}`);
}

export async function cniAddSequential(): Promise<void> {
  reportLoad('cni-add-sequential');
  await withNode('bcnis', '10.126.0.0/24', async (node) => {
    const pods = await sandboxes(node, SEQUENTIAL);
    const add: number[] = [];
    await reportCpu('cni-add-sequential', node, pods.length, async () => {
      for (const sb of pods) {
        const r = await node.runtime.add(sb);
        check('ADD', r);
        add.push(r.ms);
      }
    });
    reportLatencies('cni-add-sequential', add);
    reportLatencies('cni-add-sequential-agent', await agentAddTimes(node));
    const del: number[] = [];
    for (const sb of pods) {
      const r = await node.runtime.del(sb);
      check('DEL', r);
      del.push(r.ms);
    }
    reportLatencies('cni-del-sequential', del);
  });
}

export async function cniAddConcurrent(): Promise<void> {
  reportLoad('cni-add-concurrent');
  await withNode('bcnic', '10.127.0.0/24', async (node) => {
    const pods = await sandboxes(node, CONCURRENT);
    let started = performance.now();
    let adds: PluginRun[] = [];
    await reportCpu('cni-add-concurrent', node, pods.length, async () => {
      adds = await Promise.all(pods.map((sb) => node.runtime.add(sb)));
    });
    report('cni-add-concurrent', 'total-ms', performance.now() - started);
    adds.forEach((r) => check('ADD', r));
    reportLatencies(
      'cni-add-concurrent',
      adds.map((r) => r.ms),
    );
    reportLatencies('cni-add-concurrent-agent', await agentAddTimes(node));
    started = performance.now();
    const dels = await Promise.all(pods.map((sb) => node.runtime.del(sb)));
    report('cni-del-concurrent', 'total-ms', performance.now() - started);
    dels.forEach((r) => check('DEL', r));
    reportLatencies(
      'cni-del-concurrent',
      dels.map((r) => r.ms),
    );
  });
}

function timeExec(cmd: string, args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - started));
  });
}

export async function cniPluginStart(): Promise<void> {
  reportLoad('cni-plugin-start');
  const dir = await mkdtemp(join(tmpdir(), 'bench-cni-'));
  try {
    const { plugin } = await installCni({
      binDir: dir,
      confDir: dir,
      socketPath: join(dir, 'none.sock'),
    });
    const env = { ...(process.env as Record<string, string>), CNI_COMMAND: 'VERSION' };
    const own: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const r = await execPlugin(plugin, env, '{"cniVersion":"1.0.0"}');
      check('VERSION', r);
      own.push(r.ms);
      bare.push(await timeExec(process.execPath, ['-e', '0']));
    }
    reportLatencies('cni-plugin-start', own);
    reportLatencies('node-bare-start', bare);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
