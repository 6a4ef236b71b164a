// `./antrea demo`: the seed's walkthrough (seed/WALKTHROUGH.md) replayed on the running local
// cluster. It writes the walkthrough's manifests to .antrea/demo/, sets up its workloads (after
// removing what an earlier run left that would change the story: ch-busybox and the policy),
// then runs the thirteen steps, printing each command as a user types it with its real output
// and checking each expectation. The first failing step ends the run (all run with
// --keep-going); the exit code is non-zero and the failing steps are named. The transcript is
// saved to docs/demo-transcript.txt.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterNodes } from './config.js';
import { BUSYBOX, CASSANDRA, NGINX } from './demo-manifests.js';
import { CheckFailed, Shell, Transcript } from './demo-shell.js';
import { DemoContext, type Step } from './demo-context.js';
import { INSPECT_STEPS } from './demo-steps-inspect.js';
import { POLICY_STEPS } from './demo-steps-policy.js';
import type { ClusterLayout } from './layout.js';

/** The thirteen steps of seed/WALKTHROUGH.md, in order. */
const WALKTHROUGH: readonly Step[] = [...INSPECT_STEPS, ...POLICY_STEPS];

export interface DemoResult {
  /** `N. Title: reason` of every step that failed. */
  readonly failed: readonly string[];
  readonly transcript: string;
}

/** The seed's starting point: its workloads running, nothing left from an earlier run. */
async function setUp(ctx: DemoContext): Promise<void> {
  const { sh } = ctx;
  sh.note('Leftovers of an earlier run that would change the story:');
  await sh.run('kubectl delete pod ch-busybox --ignore-not-found');
  await sh.run('kubectl delete networkpolicy nginx-allow --ignore-not-found');
  sh.note('The workloads of the seed: nginx (3 replicas, Service nginx-svc), cassandra:');
  await sh.run('kubectl apply -f nginx.yaml');
  await sh.run('kubectl apply -f cassandra.yaml');
  const running = (expected: number) => (r: { output: string }) =>
    (r.output.match(/ 1\/1 +Running /g) ?? []).length === expected;
  sh.check(
    running(3)(await sh.retry('kubectl get pods -l app=nginx', running(3), 60)),
    'nginx: 3 pods Running',
  );
  sh.check(
    running(2)(await sh.retry('kubectl get pods -n cassandra', running(2), 60)),
    'cassandra: 2 pods Running',
  );
}

export async function demo(layout: ClusterLayout, keepGoing: boolean): Promise<DemoResult> {
  if (!existsSync(layout.kubeconfig))
    throw new Error(`no cluster in ${layout.stateDir} (run ./antrea up first)`);
  const dir = join(layout.stateDir, 'demo');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'nginx.yaml'), NGINX);
  writeFileSync(join(dir, 'cassandra.yaml'), CASSANDRA);
  writeFileSync(join(dir, 'busybox-cor.yaml'), BUSYBOX);
  const transcript = new Transcript();
  const sh = new Shell(transcript, dir, { ...process.env, KUBECONFIG: layout.kubeconfig });
  const ctx = new DemoContext(sh, dir, clusterNodes(layout).length);
  transcript.print(
    `# ./antrea demo: the seed's walkthrough (seed/WALKTHROUGH.md) on the local cluster, ${new Date().toISOString()}\n` +
      `# Commands run in ${dir} with KUBECONFIG=${layout.kubeconfig}; [ok] lines are the demo's checks.`,
  );
  const failed: string[] = [];
  const steps: Step[] = [{ title: 'Setup: the workloads', run: setUp }, ...WALKTHROUGH];
  for (const [i, step] of steps.entries()) {
    const name = i === 0 ? step.title : `${i}. ${step.title}`;
    transcript.print(`\n## ${name}`);
    try {
      await step.run(ctx);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      transcript.print(`[FAILED] ${e instanceof CheckFailed ? reason : `error: ${reason}`}`);
      failed.push(`${name}: ${reason}`);
      if (!keepGoing || i === 0) break;
    }
  }
  transcript.print(
    failed.length === 0
      ? `\n# All ${WALKTHROUGH.length} steps of the walkthrough passed.`
      : `\n# FAILED: ${failed.join('; ')}` +
          (keepGoing ? '' : '\n# (stopped at the first failure; --keep-going runs the rest)'),
  );
  const path = join(layout.repoRoot, 'docs', 'demo-transcript.txt');
  transcript.save(path);
  return { failed, transcript: path };
}
