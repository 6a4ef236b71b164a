// Discovery (/api, /apis, group and group-version resource lists) and /version, built from
// the resource table. Legacy (unaggregated) discovery only: kubectl and client-go fall back to
// it when the aggregated form is not offered.
import { apiVersionOf, RESOURCES, type ResourceDef } from '../resources.js';

export const KUBE_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' };

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface GroupVersion {
  readonly groupVersion: string;
  readonly version: string;
}

function groups(): Map<string, GroupVersion[]> {
  const out = new Map<string, GroupVersion[]>();
  for (const r of RESOURCES) {
    if (r.group === '') continue;
    const list = out.get(r.group) ?? [];
    if (!list.some((v) => v.version === r.version))
      list.push({ groupVersion: apiVersionOf(r), version: r.version });
    out.set(r.group, list);
  }
  return out;
}

function apiGroup(name: string, versions: GroupVersion[]): object {
  return { name, versions, preferredVersion: versions[0] };
}

export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups()].map(([name, versions]) => apiGroup(name, versions)),
  };
}

export function apiGroupInfo(group: string): object | undefined {
  const versions = groups().get(group);
  return versions && { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) };
}

function subresourceEntry(r: ResourceDef, sub: string): object {
  const base = { name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced };
  switch (sub) {
    case 'status':
      return { ...base, kind: r.kind, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return {
        ...base,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      };
    case 'exec':
      return { ...base, kind: 'PodExecOptions', verbs: ['create', 'get'] };
    case 'log':
      return { ...base, kind: r.kind, verbs: ['get'] };
    default:
      throw new Error(`unknown subresource ${sub}`);
  }
}

export function apiResourceList(group: string, version: string): object | undefined {
  const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (defs.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: defs.flatMap((r) => [
      {
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: VERBS,
        ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
        ...(r.categories.length > 0 ? { categories: r.categories } : {}),
      },
      ...r.subresources.map((s) => subresourceEntry(r, s)),
    ]),
  };
}

export function versionInfo(): object {
  return {
    ...KUBE_VERSION,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'node',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
