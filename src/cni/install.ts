// install-cni: what Antrea's init container of that name does — puts the plugin into the CNI
// bin dir as `antrea` (the conflist's type) and the conflist into the CNI conf dir, with this
// node's agent socket. The plugin is a small shell wrapper that execs Node on the compiled
// main.cjs, so the bin dir needs no copy of the project.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONFLIST = fileURLToPath(new URL('../../../deploy/10-antrea.conflist', import.meta.url));
const PLUGIN_MAIN = fileURLToPath(new URL('./main.cjs', import.meta.url));

export interface InstallOptions {
  /** e.g. /opt/cni/bin */
  readonly binDir: string;
  /** e.g. /etc/cni/net.d */
  readonly confDir: string;
  /** The node's agent CNI socket, written into the conflist. */
  readonly socketPath: string;
}

/** Writes a file whole or not at all (a runtime may read the conf dir at any time). */
async function writeAtomic(path: string, text: string, mode: number): Promise<void> {
  await writeFile(`${path}.tmp`, text, { mode });
  await chmod(`${path}.tmp`, mode);
  await rename(`${path}.tmp`, path);
}

/**
 * The plugin executable: a shell script that execs Node on main.cjs. It drops
 * NODE_EXTRA_CA_CERTS first: Node parses every certificate of that file at start (≈ 40 ms of a
 * 130 ms start here, with the system bundle), and the plugin makes no TLS connection.
 */
function pluginWrapper(): string {
  return `#!/bin/sh\nunset NODE_EXTRA_CA_CERTS\nexec '${process.execPath}' '${PLUGIN_MAIN}' "$@"\n`;
}

/** Installs the plugin and the conflist; returns their paths. */
export async function installCni(
  opts: InstallOptions,
): Promise<{ plugin: string; conflist: string }> {
  const list = JSON.parse(await readFile(CONFLIST, 'utf8')) as {
    plugins: Record<string, unknown>[];
  };
  list.plugins[0] = { ...list.plugins[0], socketPath: opts.socketPath };
  const plugin = join(opts.binDir, String(list.plugins[0].type));
  const conflist = join(opts.confDir, '10-antrea.conflist');
  await mkdir(opts.binDir, { recursive: true });
  await mkdir(opts.confDir, { recursive: true });
  await writeAtomic(plugin, pluginWrapper(), 0o755);
  await writeAtomic(conflist, JSON.stringify(list, null, 2) + '\n', 0o644);
  return { plugin, conflist };
}
