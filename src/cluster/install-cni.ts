#!/usr/bin/env node
// The install-cni init container: the CNI plugin and conflist into the node's CNI dirs (what
// Antrea's init container does), plus the antctl wrapper `kubectl exec` finds on PATH.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installCni } from '../cni/install.js';

const ANTCTL = fileURLToPath(new URL('../antctl/main.js', import.meta.url));

const { values } = parseArgs({
  options: {
    'bin-dir': { type: 'string' },
    'conf-dir': { type: 'string' },
    socket: { type: 'string' },
    'tools-dir': { type: 'string' },
  },
});
for (const flag of ['bin-dir', 'conf-dir', 'socket', 'tools-dir'] as const) {
  if (!values[flag]) {
    console.error(`install-cni: --${flag} is required`);
    process.exit(1);
  }
}
const { plugin, conflist } = await installCni({
  binDir: values['bin-dir']!,
  confDir: values['conf-dir']!,
  socketPath: values.socket!,
});
await mkdir(values['tools-dir']!, { recursive: true });
const antctl = join(values['tools-dir']!, 'antctl');
await writeFile(antctl, `#!/bin/sh\nexec '${process.execPath}' '${ANTCTL}' "$@"\n`);
await chmod(antctl, 0o755);
console.log(`installed ${plugin}, ${conflist} and ${antctl}`);
