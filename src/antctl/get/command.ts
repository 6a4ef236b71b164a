// `antctl get`: one subcommand per resource, each in its own file of this folder.
import { Command } from 'commander';
import { podInterfaceCommand } from './podinterface.js';

export function getCommand(): Command {
  const get = new Command('get').description('Get the whole or partial status of Antrea');
  for (const sub of [podInterfaceCommand()]) get.addCommand(sub.exitOverride());
  return get;
}
