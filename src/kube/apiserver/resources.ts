// The resources this server serves, in one table: names for discovery, scope, subresources,
// which fields field selectors may use, how generation and status behave, the strategic-merge
// schema (built-in kinds only; custom resources take merge patches, as in kube) and the printer.
import * as patch from './patch/patchMeta.js';
import type { PatchMeta } from './patch/patchMeta.js';
import * as builtin from './printers/builtin.js';
import { AGE_PRINTER_COLUMN, crdPrinter, type PrinterColumn } from './printers/crd.js';
import { podPrinter } from './printers/pods.js';
import type { TablePrinter } from './printers/printer.js';

export type Subresource = 'status' | 'scale' | 'exec' | 'log';

export interface ResourceDef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly subresources: readonly Subresource[];
  /** Field selector keys besides metadata.name and metadata.namespace. */
  readonly fieldSelectors: readonly string[];
  /** metadata.generation is kept and bumped on every change outside metadata and status. */
  readonly generation: boolean;
  /** Strategic merge patch schema; undefined for custom resources (→ 415, like kube). */
  readonly patchMeta?: PatchMeta;
  readonly printer: TablePrinter;
}

export function apiVersionOf(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** `deployments.apps`, `pods`: the resource's identity in storage and in messages. */
export function resourceKey(def: ResourceDef): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

interface Spec {
  plural: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: Subresource[];
  fieldSelectors?: string[];
  generation?: boolean;
  patchMeta?: PatchMeta;
  printer: TablePrinter;
}

function define(group: string, version: string, specs: Spec[]): ResourceDef[] {
  return specs.map((s) => ({
    group,
    version,
    plural: s.plural,
    singular: s.kind.toLowerCase(),
    kind: s.kind,
    namespaced: s.namespaced,
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    subresources: s.subresources ?? [],
    fieldSelectors: s.fieldSelectors ?? [],
    generation: s.generation ?? false,
    ...(s.patchMeta ? { patchMeta: s.patchMeta } : {}),
    printer: s.printer,
  }));
}

const policyColumns = (kind: string): PrinterColumn[] => [
  {
    name: 'Tier',
    type: 'string',
    jsonPath: '.spec.tier',
    description: `The Tier to which this ${kind} belongs to.`,
  },
  {
    name: 'Priority',
    type: 'number',
    format: 'float',
    jsonPath: '.spec.priority',
    description: `The Priority of this ${kind} relative to other policies.`,
  },
  {
    name: 'Desired Nodes',
    type: 'number',
    format: 'int32',
    jsonPath: '.status.desiredNodesRealized',
    description: 'The total number of Nodes that should realize the NetworkPolicy.',
  },
  {
    name: 'Current Nodes',
    type: 'number',
    format: 'int32',
    jsonPath: '.status.currentNodesRealized',
    description: 'The number of Nodes that have realized the NetworkPolicy.',
  },
  AGE_PRINTER_COLUMN,
];

const ALL = ['all'];

export const RESOURCES: readonly ResourceDef[] = [
  ...define('', 'v1', [
    {
      plural: 'namespaces',
      kind: 'Namespace',
      namespaced: false,
      shortNames: ['ns'],
      subresources: ['status'],
      fieldSelectors: ['status.phase'],
      patchMeta: patch.NAMESPACE_PATCH,
      printer: builtin.namespacePrinter,
    },
    {
      plural: 'nodes',
      kind: 'Node',
      namespaced: false,
      shortNames: ['no'],
      subresources: ['status'],
      fieldSelectors: ['spec.unschedulable'],
      patchMeta: patch.NODE_PATCH,
      printer: builtin.nodePrinter,
    },
    {
      plural: 'pods',
      kind: 'Pod',
      namespaced: true,
      shortNames: ['po'],
      categories: ALL,
      subresources: ['status', 'exec', 'log'],
      fieldSelectors: [
        'spec.nodeName',
        'spec.restartPolicy',
        'spec.schedulerName',
        'spec.serviceAccountName',
        'spec.hostNetwork',
        'status.phase',
        'status.podIP',
        'status.nominatedNodeName',
      ],
      patchMeta: patch.POD_PATCH,
      printer: podPrinter,
    },
    {
      plural: 'services',
      kind: 'Service',
      namespaced: true,
      shortNames: ['svc'],
      categories: ALL,
      subresources: ['status'],
      fieldSelectors: ['spec.clusterIP', 'spec.type'],
      patchMeta: patch.SERVICE_PATCH,
      printer: builtin.servicePrinter,
    },
    {
      plural: 'endpoints',
      kind: 'Endpoints',
      namespaced: true,
      shortNames: ['ep'],
      patchMeta: patch.PLAIN_PATCH,
      printer: builtin.endpointsPrinter,
    },
    {
      plural: 'events',
      kind: 'Event',
      namespaced: true,
      shortNames: ['ev'],
      fieldSelectors: [
        'involvedObject.kind',
        'involvedObject.namespace',
        'involvedObject.name',
        'involvedObject.uid',
        'involvedObject.apiVersion',
        'involvedObject.resourceVersion',
        'involvedObject.fieldPath',
        'reason',
        'reportingComponent',
        'source',
        'type',
      ],
      patchMeta: patch.PLAIN_PATCH,
      printer: builtin.eventPrinter,
    },
  ]),
  ...define('apps', 'v1', [
    {
      plural: 'deployments',
      kind: 'Deployment',
      namespaced: true,
      shortNames: ['deploy'],
      categories: ALL,
      subresources: ['status', 'scale'],
      generation: true,
      patchMeta: patch.DEPLOYMENT_PATCH,
      printer: builtin.deploymentPrinter,
    },
    {
      plural: 'replicasets',
      kind: 'ReplicaSet',
      namespaced: true,
      shortNames: ['rs'],
      categories: ALL,
      subresources: ['status', 'scale'],
      generation: true,
      patchMeta: patch.REPLICASET_PATCH,
      printer: builtin.replicaSetPrinter,
    },
    {
      plural: 'statefulsets',
      kind: 'StatefulSet',
      namespaced: true,
      shortNames: ['sts'],
      categories: ALL,
      subresources: ['status', 'scale'],
      generation: true,
      patchMeta: patch.STATEFULSET_PATCH,
      printer: builtin.statefulSetPrinter,
    },
  ]),
  ...define('networking.k8s.io', 'v1', [
    {
      plural: 'networkpolicies',
      kind: 'NetworkPolicy',
      namespaced: true,
      shortNames: ['netpol'],
      generation: true,
      patchMeta: patch.PLAIN_PATCH,
      printer: builtin.networkPolicyPrinter,
    },
  ]),
  ...define('crd.antrea.io', 'v1beta1', [
    {
      plural: 'clusternetworkpolicies',
      kind: 'ClusterNetworkPolicy',
      namespaced: false,
      shortNames: ['acnp'],
      subresources: ['status'],
      generation: true,
      printer: crdPrinter(policyColumns('ClusterNetworkPolicy')),
    },
    {
      plural: 'networkpolicies',
      kind: 'NetworkPolicy',
      namespaced: true,
      shortNames: ['annp', 'anp'],
      subresources: ['status'],
      generation: true,
      printer: crdPrinter(policyColumns('Antrea NetworkPolicy')),
    },
    {
      plural: 'tiers',
      kind: 'Tier',
      namespaced: false,
      shortNames: ['tr'],
      generation: true,
      printer: crdPrinter([
        {
          name: 'Priority',
          type: 'integer',
          jsonPath: '.spec.priority',
          description: 'The Priority of this Tier relative to other Tiers.',
        },
        AGE_PRINTER_COLUMN,
      ]),
    },
    {
      plural: 'clustergroups',
      kind: 'ClusterGroup',
      namespaced: false,
      shortNames: ['cg'],
      subresources: ['status'],
      generation: true,
      printer: crdPrinter([AGE_PRINTER_COLUMN]),
    },
    {
      plural: 'groups',
      kind: 'Group',
      namespaced: true,
      shortNames: ['grp'],
      subresources: ['status'],
      generation: true,
      printer: crdPrinter([AGE_PRINTER_COLUMN]),
    },
    {
      plural: 'antreaagentinfos',
      kind: 'AntreaAgentInfo',
      namespaced: false,
      shortNames: ['aai'],
      generation: true,
      printer: crdPrinter([
        {
          name: 'Healthy',
          type: 'string',
          jsonPath: ".agentConditions[?(@.type=='AgentHealthy')].status",
          description: 'Health status of this Agent',
        },
        {
          name: 'Last Heartbeat',
          type: 'date',
          jsonPath: ".agentConditions[?(@.type=='AgentHealthy')].lastHeartbeatTime",
          description: 'Last time the Healthy Condition was updated',
        },
        {
          name: 'Version',
          type: 'string',
          jsonPath: '.version',
          priority: 1,
          description: 'Version of this Agent',
        },
        {
          name: 'Node',
          type: 'string',
          jsonPath: '.nodeRef.name',
          priority: 1,
          description: 'Node on which this Agent is running',
        },
        {
          name: 'Num Pods',
          type: 'integer',
          jsonPath: '.localPodNum',
          priority: 2,
          description: 'Number of local Pods managed by this Agent',
        },
        {
          name: 'Subnets',
          type: 'string',
          jsonPath: '.nodeSubnets',
          priority: 2,
          description: 'Subnets used by this Agent for Pod IPAM',
        },
      ]),
    },
    {
      plural: 'antreacontrollerinfos',
      kind: 'AntreaControllerInfo',
      namespaced: false,
      shortNames: ['aci'],
      generation: true,
      printer: crdPrinter([
        {
          name: 'Healthy',
          type: 'string',
          jsonPath: ".controllerConditions[?(@.type=='ControllerHealthy')].status",
          description: 'Health status of the Controller',
        },
        {
          name: 'Last Heartbeat',
          type: 'date',
          jsonPath: ".controllerConditions[?(@.type=='ControllerHealthy')].lastHeartbeatTime",
          description: 'Last time the Healthy Condition was updated',
        },
        {
          name: 'Version',
          type: 'string',
          jsonPath: '.version',
          priority: 1,
          description: 'Version of the Controller',
        },
        {
          name: 'Connected Agents',
          type: 'integer',
          jsonPath: '.connectedAgentNum',
          priority: 1,
          description: 'Number of Agents connected to the Controller',
        },
        {
          name: 'Node',
          type: 'string',
          jsonPath: '.nodeRef.name',
          priority: 1,
          description: 'Node on which the Controller is running',
        },
        {
          name: 'Num Network Policies',
          type: 'integer',
          jsonPath: '.networkPolicyControllerInfo.networkPolicyNum',
          priority: 2,
          description: 'Number of Network Policies computed by Controller',
        },
      ]),
    },
  ]),
];

export function findResource(
  group: string,
  version: string,
  plural: string,
): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function resourceByKey(key: string): ResourceDef | undefined {
  return RESOURCES.find((r) => resourceKey(r) === key);
}
