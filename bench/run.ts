// `npm run bench [-- NAME…]`: runs each benchmark in a fresh Node process (so memory figures are
// its own) and passes through the JSON lines it prints. NAME selects benchmarks by prefix.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { report } from './report.js';
import { AGENT_NODE_FLAGS } from '../src/agent/nodeflags.js';
import { CONTROLLER_NODE_FLAGS } from '../src/controller/nodeflags.js';

export type Bench = () => Promise<void>;

interface BenchSpec {
  readonly module: string;
  readonly fn: string;
  /** Node flags of the real process the benchmark stands for. */
  readonly flags?: readonly string[];
}

const controller = (fn: string): BenchSpec => ({
  module: 'controller.js',
  fn,
  flags: CONTROLLER_NODE_FLAGS,
});

/** Benchmark name → module (under dist/bench) and export. */
const BENCHES: Record<string, BenchSpec> = {
  'controller-small-namespaces': controller('smallNamespaces'),
  'controller-one-namespace': controller('oneNamespace'),
  'controller-small-namespaces-acnp': controller('smallNamespacesAcnp'),
  'controller-pod-label-change': controller('podLabelChange'),
  'apiserver-load': { module: 'apiserver.js', fn: 'apiserverLoad' },
  'openflow-compute': { module: 'openflow.compute.js', fn: 'run', flags: AGENT_NODE_FLAGS },
  'openflow-install': { module: 'openflow.install.js', fn: 'run', flags: AGENT_NODE_FLAGS },
  'cni-add-sequential': { module: 'cni.js', fn: 'cniAddSequential' },
  'cni-add-concurrent': { module: 'cni.js', fn: 'cniAddConcurrent' },
  'cni-plugin-start': { module: 'cni.js', fn: 'cniPluginStart' },
  'proxy-throughput': { module: 'proxy.js', fn: 'throughput' },
  'proxy-programming': { module: 'proxy.js', fn: 'programming' },
  cluster: { module: 'cluster.js', fn: 'run' },
};

const here = dirname(fileURLToPath(import.meta.url));

async function child(name: string): Promise<void> {
  const b = BENCHES[name]!;
  const mod = (await import(join(here, b.module))) as Record<string, Bench>;
  await mod[b.fn]!();
}

/** How fast this machine is right now, so figures compare across machines and loads. */
function calibrate(): void {
  const t0 = performance.now();
  const m = new Map<string, { a: number }>();
  for (let i = 0; i < 1_000_000; i++) m.set(`k${i}`, { a: i });
  report('calibration', 'map-set-1m-ms', performance.now() - t0);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!);
  calibrate();
  const names = Object.keys(BENCHES).filter(
    (n) => args.length === 0 || args.some((a) => n.startsWith(a)),
  );
  if (names.length === 0) {
    console.error(
      `no benchmark matches ${args.join(' ')}; known: ${Object.keys(BENCHES).join(', ')}`,
    );
    process.exitCode = 2;
    return;
  }
  for (const name of names) {
    const r = spawnSync(
      process.execPath,
      [
        ...(BENCHES[name]!.flags ?? []),
        '--expose-gc',
        fileURLToPath(import.meta.url),
        '--child',
        name,
      ],
      {
        stdio: 'inherit',
      },
    );
    if (r.status !== 0) process.exitCode = 1;
  }
}

await main();
