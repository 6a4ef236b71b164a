// The node network: a Linux bridge inside a namespace of the cluster's own joins the nodes; each
// node is a namespace whose `eth0` sits on that bridge. Nothing is routed to the host: the
// namespaces have no default route, and the host has no link into them.
import { run } from '../util/exec.js';
import type { ClusterLayout, NodeSpec } from './layout.js';
import { UNDERLAY_MASK } from './layout.js';

export function underlayNetns(layout: ClusterLayout): string {
  return `${layout.prefix}-underlay`;
}

async function netnsExists(name: string): Promise<boolean> {
  const out = await run('ip', ['netns', 'list']);
  return out.split('\n').some((l) => l.split(' ')[0] === name);
}

export async function ensureUnderlay(layout: ClusterLayout): Promise<void> {
  const ns = underlayNetns(layout);
  if (await netnsExists(ns)) return;
  await run('ip', ['netns', 'add', ns]);
  await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  await run('ip', ['-n', ns, 'link', 'add', 'br0', 'type', 'bridge']);
  await run('ip', ['-n', ns, 'link', 'set', 'br0', 'up']);
}

/**
 * The node namespace and its `eth0` on the underlay bridge (no address yet: the node's OVS
 * takes eth0 into br-phy and the address goes on br-phy, see nodeovs.ts).
 */
export async function ensureNodeNetns(
  layout: ClusterLayout,
  node: NodeSpec,
  index: number,
): Promise<void> {
  if (await netnsExists(node.netns)) return;
  const under = underlayNetns(layout);
  const peer = `n${index}-${layout.prefix}`.slice(0, 15);
  await run('ip', ['netns', 'add', node.netns]);
  await run('ip', ['-n', node.netns, 'link', 'set', 'lo', 'up']);
  await run('ip', [
    '-n',
    under,
    'link',
    'add',
    peer,
    'type',
    'veth',
    'peer',
    'name',
    'eth0',
    'netns',
    node.netns,
  ]);
  await run('ip', ['-n', under, 'link', 'set', peer, 'master', 'br0', 'up']);
  await run('ip', ['-n', node.netns, 'link', 'set', 'eth0', 'up']);
  // The userspace datapath computes no checksums for veths (PLATFORM-NOTES).
  await run('ip', ['netns', 'exec', node.netns, 'ethtool', '-K', 'eth0', 'tx', 'off']);
  await run('ip', ['netns', 'exec', under, 'ethtool', '-K', peer, 'tx', 'off']);
}

export function nodeCidr(node: NodeSpec): string {
  return `${node.ip}/${UNDERLAY_MASK}`;
}

/** Every namespace of this cluster (pods' too): what `down` removes. */
export async function clusterNamespaces(layout: ClusterLayout): Promise<string[]> {
  const out = await run('ip', ['netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(`${layout.prefix}-`));
}
