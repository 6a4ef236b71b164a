#!/usr/bin/env node
// antctl: Antrea's CLI. Commands are registered from one table so each lives in its own file.
import { Command, CommanderError } from 'commander';
import { analyzeCommand } from './analyze/command.js';
import { ManifestError } from './analyze/manifests.js';
import { getCommand } from './get/command.js';
import { UsageError } from './errors.js';
import { addGlobalOptions } from './globals.js';
import { cobraHelp } from './help.js';
import { queryCommand } from './query/command.js';
import { traceflowCommand } from './traceflow/command.js';

export function buildProgram(): Command {
  const program = addGlobalOptions(
    new Command('antctl').description('antctl is the command line tool for Antrea'),
  )
    .exitOverride()
    .showHelpAfterError(false);
  for (const cmd of [analyzeCommand(), getCommand(), queryCommand(), traceflowCommand()])
    program.addCommand(cmd.exitOverride());
  return cobraHelp(program);
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof UsageError || e instanceof ManifestError) {
      process.stderr.write(`Error: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
