// One round of the openflow-install benchmark's agent path, run by openflow.install.ts in a
// fresh process: installs the policy set, writes the flows to the file given as argument (for
// the bare load) and prints the round's figures as one JSON object.
import { agentInstall } from './openflow.install.js';

const flowsFile = process.argv[2];
if (flowsFile === undefined) throw new Error('usage: openflow.install.round.js FLOWS_FILE');
process.stdout.write(`${JSON.stringify(await agentInstall(flowsFile))}\n`);
