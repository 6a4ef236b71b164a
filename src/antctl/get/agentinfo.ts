// `antctl get agentinfo`: in agent mode that agent's own AntreaAgentInfo, computed now; in
// controller mode every agent's, as their heartbeats last wrote them to the Kubernetes API.
// Columns as the seed's.
import type { AntreaAgentInfo } from '../../apis/index.js';
import { getJSON } from '../endpoint.js';
import { agentInfos } from '../kubeapi.js';
import { resourceCommand } from './resource.js';

function status(info: AntreaAgentInfo): string {
  const healthy = info.agentConditions?.find((c) => c.type === 'AgentHealthy');
  return healthy?.status === 'True' ? 'Healthy' : 'Unhealthy';
}

export function agentInfoCommand() {
  return resourceCommand<AntreaAgentInfo, object>({
    name: 'agentinfo',
    aliases: ['ai'],
    short: "Print agent's basic information",
    modes: ['agent', 'controller'],
    fetch: async ({ endpoint, global }) => {
      if (endpoint.mode === 'agent') return [await getJSON(endpoint, '/agentinfo', global)];
      return agentInfos(global);
    },
    table: {
      header: [
        'POD',
        'NODE',
        'STATUS',
        'NODE-SUBNET',
        'NETWORK-POLICIES',
        'ADDRESS-GROUPS',
        'APPLIED-TO-GROUPS',
        'LOCAL-PODS',
      ],
      row: (a) => {
        const counts = a.networkPolicyControllerInfo;
        return [
          a.podRef ? `${a.podRef.namespace}/${a.podRef.name}` : '',
          a.nodeRef?.name ?? a.metadata.name ?? '',
          status(a),
          (a.nodeSubnets ?? []).join(','),
          String(counts?.networkPolicyNum ?? 0),
          String(counts?.addressGroupNum ?? 0),
          String(counts?.appliedToGroupNum ?? 0),
          String(a.localPodNum ?? 0),
        ];
      },
    },
  });
}
