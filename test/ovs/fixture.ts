// A private OVS for one test file: a fresh namespace, daemons in a temp dir, a netdev bridge.
// cleanup() stops exactly those daemons, then removes the namespaces, links and the dir.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OvsDaemons } from '../../src/ovs/daemons.js';
import { Ofctl } from '../../src/ovs/ofctl.js';
import { Vsctl } from '../../src/ovs/vsctl.js';
import { TestNet } from '../helpers/netns.js';

export interface OvsFixture {
  readonly net: TestNet;
  /** The namespace the daemons run in (the "node"). */
  readonly netns: string;
  readonly daemons: OvsDaemons;
  readonly vsctl: Vsctl;
  /** Ofctl on `bridge`, through its mgmt socket. */
  readonly ofctl: Ofctl;
  readonly bridge: string;
  cleanup(): Promise<void>;
}

export async function startOvs(tag: string, bridge = 'br-int'): Promise<OvsFixture> {
  const net = new TestNet(tag);
  const dir = await mkdtemp(join(tmpdir(), `${net.prefix}-`));
  let daemons: OvsDaemons | undefined;
  let ofctl: Ofctl | undefined;
  const cleanup = async (): Promise<void> => {
    await ofctl?.close(); // its waiting ovs-ofctl, if any
    await daemons?.stop();
    await net.cleanup();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const netns = await net.netns('node');
    daemons = await OvsDaemons.start({ dir, netns });
    const vsctl = new Vsctl({ dbSocket: daemons.dbSocket, netns });
    await vsctl.addBridge(bridge);
    ofctl = new Ofctl({ target: daemons.mgmtSocket(bridge), netns });
    return { net, netns, daemons, vsctl, ofctl, bridge, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
