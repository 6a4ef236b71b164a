// Each node's own Open vSwitch, started inside the node namespace. The node's underlay `eth0`
// goes into a netdev bridge `br-phy` whose internal port carries the node IP: the userspace
// datapath routes Geneve's outer packets only over interfaces on its own bridges
// (PLATFORM-NOTES), as Antrea's Kind setup did.
import { join } from 'node:path';
import { OvsDaemons } from '../ovs/daemons.js';
import { Vsctl } from '../ovs/vsctl.js';
import { run } from '../util/exec.js';
import type { NodeSpec } from './layout.js';
import { nodeCidr } from './underlay.js';

export function ovsDir(node: NodeSpec): string {
  return join(node.dir, 'ovs');
}

export async function ensureNodeOvs(node: NodeSpec): Promise<OvsDaemons> {
  const dir = ovsDir(node);
  const attached = OvsDaemons.attach({ dir, netns: node.netns });
  const alive = await attached.alive();
  const ovs =
    alive.ovsdb && alive.vswitchd ? attached : await OvsDaemons.start({ dir, netns: node.netns });
  const vsctl = new Vsctl({ dbSocket: ovs.dbSocket, netns: node.netns });
  await vsctl.addBridge('br-phy', { datapathType: 'netdev' });
  await vsctl.addPort('br-phy', 'eth0');
  const addrs = await run('ip', ['-n', node.netns, '-o', 'addr', 'show', 'dev', 'br-phy']);
  if (!addrs.includes(` ${nodeCidr(node)} `)) {
    await run('ip', ['-n', node.netns, 'addr', 'add', nodeCidr(node), 'dev', 'br-phy']);
  }
  await run('ip', ['-n', node.netns, 'link', 'set', 'br-phy', 'up']);
  return ovs;
}
