// Table 42 (EndpointDNAT): the endpoint in reg3/reg4 becomes the destination. The connection is
// committed with the DNAT and the Service mark, so conntrack translates every later packet (and
// un-translates replies) by itself, whatever the groups become. The destination MAC becomes the
// global virtual MAC, as for routed packets from the tunnel: L3Forwarding then rewrites the MACs
// of a local pod endpoint (or tunnels to a remote one) with the flows it already has.
import type { Flow } from '../../ovs/flow.js';
import { ipv4ToInt } from '../../util/ipv4.js';
import { flow } from './build.js';
import { EndpointIP, EndpointPort, match } from './fields.js';
import { protocolMatch } from './servicelb.js';
import { SERVICE_CT_MARK, type ServiceEndpoint, type ServicePortConfig } from './servicetypes.js';
import { egressEntryTable, Priority, Table } from './tables.js';
import { CT_ZONE, GLOBAL_VIRTUAL_MAC, type NodeConfig } from './types.js';

/** The DNAT of one endpoint; Services sharing the endpoint share the flow. */
export function endpointDNATFlow(
  cfg: NodeConfig,
  protocol: ServicePortConfig['protocol'],
  ep: ServiceEndpoint,
): Flow {
  return flow(
    Table.EndpointDNAT,
    Priority.Normal,
    [protocolMatch(protocol), match(EndpointIP, ipv4ToInt(ep.ip)), match(EndpointPort, ep.port)],
    [
      `set_field:${GLOBAL_VIRTUAL_MAC}->eth_dst`,
      `ct(commit,table=${egressEntryTable(cfg.antreaPolicy)},zone=${CT_ZONE},` +
        `nat(dst=${ep.ip}:${ep.port}),exec(load:0x${SERVICE_CT_MARK.toString(16)}->NXM_NX_CT_MARK[]))`,
    ],
  );
}
