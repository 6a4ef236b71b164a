// `antctl get`: one subcommand per resource, each in its own file of this folder.
import type { Command } from 'commander';
import { cobraHelp, groupCommand } from '../help.js';
import { agentInfoCommand } from './agentinfo.js';
import {
  addressGroupCommand,
  appliedToGroupCommand,
  networkPolicyCommand,
} from './controlplane.js';
import { ovsFlowsCommand } from './ovsflows.js';
import { podInterfaceCommand } from './podinterface.js';

export function getCommand(): Command {
  const get = groupCommand('get', 'Get the status or resource of a topic');
  for (const sub of [
    addressGroupCommand(),
    agentInfoCommand(),
    appliedToGroupCommand(),
    networkPolicyCommand(),
    ovsFlowsCommand(),
    podInterfaceCommand(),
  ])
    get.addCommand(sub.exitOverride());
  return cobraHelp(get);
}
