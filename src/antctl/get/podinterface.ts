// `antctl get podinterface [NAME] [-n NAMESPACE]` (agent mode): the local pods' interfaces from
// the agent's interface store, with the seed's columns.
import { Option } from 'commander';
import type { PodInterfaceResponse } from '../../agent/apiserver/podinterfaces.js';
import { getJSON } from '../endpoint.js';
import type { TableSpec } from '../output.js';
import { resourceCommand } from './resource.js';

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

export function podInterfaceCommand() {
  return resourceCommand<PodInterfaceResponse, { namespace?: string }>({
    name: 'podinterface',
    aliases: ['pi'],
    short: "Print Pod's network interface information",
    modes: ['agent'],
    named: true,
    options: [new Option('-n, --namespace <string>', 'Namespace of the Pod')],
    fetch: ({ endpoint, global, opts, name }) => {
      const query = new URLSearchParams();
      if (opts.namespace !== undefined) query.set('namespace', opts.namespace);
      if (name !== undefined) query.set('name', name);
      return getJSON(endpoint, `/podinterfaces?${query}`, global);
    },
    table: podInterfaceTable,
  });
}
