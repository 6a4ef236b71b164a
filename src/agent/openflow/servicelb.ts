// Tables 40 (SessionAffinity) and 41 (ServiceLB): a packet to a Service frontend goes through
// the frontend's select group, whose bucket loads the chosen endpoint into reg3/reg4 and goes
// on to EndpointDNAT. With ClientIP affinity the bucket comes back to table 41 first, where a
// learn action writes the choice into table 40 for the client; table 31 resubmits every new
// connection to 40 and then 41, so a remembered endpoint skips the group until it idles out.
import type { Flow, MatchField } from '../../ovs/flow.js';
import type { Group } from '../../ovs/group.js';
import { ipv4ToInt } from '../../util/ipv4.js';
import { flow, gotoTable, m } from './build.js';
import {
  EndpointIP,
  EndpointPort,
  load,
  match,
  matchAll,
  nxmName,
  ServiceState,
  ServiceStateValue,
} from './fields.js';
import { Priority, Table } from './tables.js';
import type {
  ServiceFrontend,
  ServiceGroup,
  ServicePortConfig,
  ServiceProtocol,
} from './servicetypes.js';

/** OpenFlow's idle_timeout is 16 bits; Kubernetes allows affinity timeouts up to a day. */
const MAX_IDLE_TIMEOUT = 65535;
const BUCKET_WEIGHT = 100;

const PROTOCOL: Record<ServiceProtocol, { match: string; number: number; dstField: string }> = {
  TCP: { match: 'tcp', number: 6, dstField: 'NXM_OF_TCP_DST[]' },
  UDP: { match: 'udp', number: 17, dstField: 'NXM_OF_UDP_DST[]' },
  SCTP: { match: 'sctp', number: 132, dstField: 'OXM_OF_SCTP_DST[]' },
};

export function protocolMatch(protocol: ServiceProtocol): MatchField {
  return m(PROTOCOL[protocol].match);
}

/** `tcp,…,nw_dst=VIP,tp_dst=PORT` in the given Service state. */
function frontendMatch(
  protocol: ServiceProtocol,
  state: number,
  fe: Pick<ServiceFrontend, 'ip' | 'port'>,
): MatchField[] {
  return [
    protocolMatch(protocol),
    match(ServiceState, state),
    m('nw_dst', fe.ip),
    m('tp_dst', fe.port),
  ];
}

/** What the learned flow of table 40 matches (client, frontend) and loads (the endpoint). */
function learnAction(svc: ServicePortConfig, timeout: number): string {
  const p = PROTOCOL[svc.protocol];
  return (
    `learn(table=${Table.SessionAffinity},idle_timeout=${Math.min(timeout, MAX_IDLE_TIMEOUT)},` +
    `priority=${Priority.Normal},delete_learned,cookie=0x${svc.cookie.toString(16)},` +
    `eth_type=0x800,nw_proto=${p.number},${p.dstField},NXM_OF_IP_DST[],NXM_OF_IP_SRC[],` +
    `load:${nxmName(EndpointIP)}->${nxmName(EndpointIP)},` +
    `load:${nxmName(EndpointPort)}->${nxmName(EndpointPort)},` +
    `${load(ServiceState, ServiceStateValue.Selected)})`
  );
}

/** Table 41: each frontend into its group; with affinity, also the flows that learn and check. */
export function serviceLBFlows(svc: ServicePortConfig): Flow[] {
  const flows: Flow[] = [];
  for (const fe of svc.frontends) {
    flows.push(
      flow(
        Table.ServiceLB,
        Priority.Normal,
        frontendMatch(svc.protocol, ServiceStateValue.NeedLB, fe),
        [`group:${fe.groupID}`],
      ),
    );
    if (svc.affinityTimeout !== undefined)
      flows.push(...affinityFlows(svc, svc.affinityTimeout, fe));
  }
  return flows;
}

/**
 * ClientIP affinity for one frontend: the group's choice is learned; a remembered endpoint is
 * used while the frontend still has it, else the group chooses again (and the new choice
 * overwrites the memory). Endpoint DNAT flows are shared by every Service of the endpoint, so
 * only here can a remembered but removed endpoint be told apart.
 */
function affinityFlows(svc: ServicePortConfig, timeout: number, fe: ServiceFrontend): Flow[] {
  const flows = [
    flow(
      Table.ServiceLB,
      Priority.Low,
      frontendMatch(svc.protocol, ServiceStateValue.NeedLearn, fe),
      [
        learnAction(svc, timeout),
        load(ServiceState, ServiceStateValue.Selected),
        gotoTable(Table.EndpointDNAT),
      ],
    ),
    // Remembered, but not (or no longer) an endpoint of this frontend: choose again.
    flow(
      Table.ServiceLB,
      Priority.Low,
      frontendMatch(svc.protocol, ServiceStateValue.Selected, fe),
      [`group:${fe.groupID}`],
    ),
  ];
  const group = svc.groups.find((g) => g.id === fe.groupID);
  for (const ep of group?.endpoints ?? []) {
    flows.push(
      flow(
        Table.ServiceLB,
        Priority.Normal,
        [
          protocolMatch(svc.protocol),
          matchAll([ServiceState, ServiceStateValue.Selected], [EndpointPort, ep.port]),
          match(EndpointIP, ipv4ToInt(ep.ip)),
          m('nw_dst', fe.ip),
          m('tp_dst', fe.port),
        ],
        [gotoTable(Table.EndpointDNAT)],
      ),
    );
  }
  return flows;
}

/** One bucket per endpoint, equal weights; no endpoint, no bucket: the group drops. */
export function serviceGroup(svc: ServicePortConfig, g: ServiceGroup): Group {
  const next =
    svc.affinityTimeout === undefined
      ? [`resubmit(,${Table.EndpointDNAT})`]
      : [load(ServiceState, ServiceStateValue.NeedLearn), `resubmit(,${Table.ServiceLB})`];
  return {
    id: g.id,
    type: 'select',
    buckets: g.endpoints.map((ep, i) => ({
      id: i,
      weight: BUCKET_WEIGHT,
      actions: [load(EndpointIP, ipv4ToInt(ep.ip)), load(EndpointPort, ep.port), ...next],
    })),
  };
}
