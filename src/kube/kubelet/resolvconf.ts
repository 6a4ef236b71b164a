// A pod's /etc/resolv.conf, as the kubelet's --cluster-dns/--cluster-domain make it: ClusterFirst
// pods ask the cluster DNS with the namespace's search path, `Default` pods keep the node's,
// `None` takes only the pod's dnsConfig. hostNetwork pods share the node's namespace and keep
// its resolver (ClusterFirstWithHostNet is not supported). `ip netns exec NETNS` bind-mounts
// /etc/netns/NETNS/resolv.conf over /etc/resolv.conf, so every container process and every
// `kubectl exec` in the pod's namespace resolves through the file written here.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Pod } from '../../apis/index.js';

export interface ClusterDNS {
  /** The kube-dns Service's ClusterIP. */
  readonly server: string;
  /** e.g. cluster.local */
  readonly domain: string;
}

/** The file's text; undefined when the pod keeps the node's own resolver configuration. */
export function podResolvConf(pod: Pod, dns: ClusterDNS | undefined): string | undefined {
  if (pod.spec?.hostNetwork === true) return undefined;
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const extra = pod.spec?.dnsConfig;
  const cluster = dns !== undefined && policy.startsWith('ClusterFirst');
  if (!cluster && policy !== 'None') return undefined;
  const ns = pod.metadata.namespace ?? 'default';
  const nameservers = [...(cluster ? [dns.server] : []), ...(extra?.nameservers ?? [])];
  const searches = [
    ...(cluster ? [`${ns}.svc.${dns.domain}`, `svc.${dns.domain}`, dns.domain] : []),
    ...(extra?.searches ?? []),
  ];
  const options = new Map<string, string | undefined>(cluster ? [['ndots', '5']] : []);
  for (const o of extra?.options ?? []) options.set(o.name, o.value);
  const lines = [
    ...(searches.length ? [`search ${searches.join(' ')}`] : []),
    ...nameservers.map((s) => `nameserver ${s}`),
    ...(options.size
      ? [`options ${[...options].map(([k, v]) => (v === undefined ? k : `${k}:${v}`)).join(' ')}`]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}

const netnsEtc = (netns: string): string => `/etc/netns/${netns}`;

export function writeResolvConf(netns: string, text: string): void {
  mkdirSync(netnsEtc(netns), { recursive: true });
  writeFileSync(`${netnsEtc(netns)}/resolv.conf`, text);
}

/** Removes what writeResolvConf made; nothing to do for a pod that had none. */
export function removeResolvConf(netns: string): void {
  rmSync(netnsEtc(netns), { recursive: true, force: true });
}
