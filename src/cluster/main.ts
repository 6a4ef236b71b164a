#!/usr/bin/env node
// The local cluster's command line, behind the ./antrea launcher: up, down, status, demo.
import { Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demo } from './demo.js';
import { down } from './down.js';
import { clusterLayout } from './layout.js';
import { StepError } from './progress.js';
import { status } from './status.js';
import { up } from './up.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const layout = clusterLayout(repoRoot);

function workerCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 8)
    throw new InvalidArgumentError('--workers must be an integer from 0 to 8');
  return n;
}

const program = new Command('antrea').description(
  'the local Antrea cluster: Kubernetes API, nodes as network namespaces, Open vSwitch',
);
program
  .command('up')
  .description(
    'start the cluster (installs what is missing); returns when every node is Ready and Antrea runs',
  )
  .option('--workers <n>', 'worker nodes besides the control plane', workerCount, 2)
  .action(async (opts: { workers: number }) => {
    const t0 = Date.now();
    await up(layout, opts.workers);
    console.log(
      `\ncluster ready in ${((Date.now() - t0) / 1000).toFixed(1)}s\nexport KUBECONFIG=${layout.kubeconfig}`,
    );
  });
program
  .command('down')
  .description('remove everything up created')
  .action(async () => down(layout));
program
  .command('status')
  .description('nodes, components and where their logs are')
  .action(async () => {
    process.exitCode = await status(layout);
  });

program
  .command('demo')
  .description("replay the seed's walkthrough on the running cluster, checking every step")
  .option('--keep-going', 'run every step even after one fails')
  .action(async (opts: { keepGoing?: boolean }) => {
    const result = await demo(layout, opts.keepGoing === true);
    console.log(`\ntranscript: ${result.transcript}`);
    if (result.failed.length > 0) {
      console.error(`error: demo failed at step ${result.failed.join('; step ')}`);
      process.exitCode = 1;
    }
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof StepError) {
    console.error(
      `\nerror: step "${e.step}" failed: ${e.message}${e.log ? `\n  see ${e.log}` : ''}`,
    );
  } else {
    console.error(`\nerror: ${e instanceof Error ? e.message : String(e)}`);
  }
  process.exitCode = 1;
}
