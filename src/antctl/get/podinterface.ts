// `antctl get podinterface [NAME] [-n NAMESPACE] [-o table|json|yaml]` (agent mode): the local
// pods' interfaces from the agent's interface store, with the seed's columns.
import { Command, Option } from 'commander';
import { agentGet, agentSocketPath } from '../../agent/apiserver/client.js';
import type { PodInterfaceResponse } from '../../agent/apiserver/podinterfaces.js';
import { formatOutput, OUTPUT_FORMATS, parseOutputFormat, type TableSpec } from '../output.js';

/** The seed's table shows container ids cut to 11 characters. */
const CONTAINER_ID_COLUMN = 11;

export const podInterfaceTable: TableSpec<PodInterfaceResponse> = {
  header: [
    'NAMESPACE',
    'NAME',
    'INTERFACE-NAME',
    'IP',
    'MAC',
    'PORT-UUID',
    'OF-PORT',
    'CONTAINER-ID',
  ],
  row: (p) => [
    p.podNamespace,
    p.name,
    p.interfaceName,
    p.ips.join(','),
    p.mac,
    p.portUUID,
    String(p.ofPort),
    p.containerID.slice(0, CONTAINER_ID_COLUMN),
  ],
};

export function podInterfaceCommand(): Command {
  return new Command('podinterface')
    .alias('pi')
    .description("Print Pod's network interface information")
    .argument('[name]', 'only the pod with this name')
    .option('-n, --namespace <namespace>', 'only pods in this namespace')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'),
    )
    .action(async (name: string | undefined, opts: { namespace?: string; output: string }) => {
      const query = new URLSearchParams();
      if (opts.namespace !== undefined) query.set('namespace', opts.namespace);
      if (name !== undefined) query.set('name', name);
      const items = await agentGet<PodInterfaceResponse[]>(
        agentSocketPath(),
        `/podinterfaces?${query}`,
      );
      process.stdout.write(formatOutput(items, parseOutputFormat(opts.output), podInterfaceTable));
    });
}
