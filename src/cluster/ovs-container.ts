#!/usr/bin/env node
// The antrea-ovs container of an antrea-agent Pod: keeps the node's Open vSwitch daemons running
// (restarting them from their database if they die) and lives as long as they do, so the
// container's state tells the truth. `kubectl exec … -c antrea-ovs -- ovs-vsctl show` reaches
// these daemons through OVS_RUNDIR in the container's environment.
import { parseArgs } from 'node:util';
import { clusterLayout } from './layout.js';
import { clusterNodes } from './config.js';
import { ensureNodeOvs } from './nodeovs.js';

const CHECK_MS = 2000;
const { values } = parseArgs({
  options: { node: { type: 'string' }, 'repo-root': { type: 'string', default: '.' } },
});
const layout = clusterLayout(values['repo-root']!);
const node = clusterNodes(layout).find((n) => n.name === values.node);
if (!node) {
  console.error(`antrea-ovs: --node: unknown node "${values.node ?? ''}"`);
  process.exit(1);
}

const log = (msg: string) => console.log(`${new Date().toISOString()} antrea-ovs ${msg}`);
let ovs = await ensureNodeOvs(node);
log(`Open vSwitch running for ${node.name} (run dir ${ovs.dir})`);
const timer = setInterval(() => {
  void ovs.alive().then(async (a) => {
    if (a.ovsdb && a.vswitchd) return;
    log(`OVS daemon died (ovsdb ${a.ovsdb}, vswitchd ${a.vswitchd}); restarting`);
    ovs = await ensureNodeOvs(node);
  });
}, CHECK_MS);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // The daemons outlive the container process: the datapath keeps forwarding (./antrea down stops them).
  process.once(signal, () => {
    clearInterval(timer);
    process.exit(0);
  });
}
