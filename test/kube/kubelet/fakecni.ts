// A tiny CNI plugin pair for the kubelet's tests, so they do not depend on antrea-cni:
// `fake-veth` puts a veth into the pod's netns as eth0 with the next free address of a /24 whose
// other end joins a bridge in the test's node namespace (gateway .1), and `fake-chain` (chained
// after it, if asked) passes prevResult on. Both append every call (command, CNI_* env, config) to
// DIR/calls.jsonl for the tests to check.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const PLUGIN = `#!/usr/bin/env node
const fs = require('node:fs'), path = require('node:path');
const { execFileSync } = require('node:child_process');
const conf = JSON.parse(fs.readFileSync(0, 'utf8'));
const env = process.env, cmd = env.CNI_COMMAND, id = env.CNI_CONTAINERID;
fs.appendFileSync(path.join(conf.dataDir, 'calls.jsonl'), JSON.stringify({
  type: conf.type, command: cmd, containerId: id, netns: env.CNI_NETNS, ifName: env.CNI_IFNAME,
  path: env.CNI_PATH, args: env.CNI_ARGS, conf,
}) + '\\n');
const ip = (...a) => execFileSync('ip', a, { stdio: ['ignore', 'ignore', 'pipe'] });
const hostIf = 'v' + id.slice(0, 10);
const out = (o) => process.stdout.write(JSON.stringify(o));
if (conf.type === 'fake-chain') {
  if (cmd === 'ADD') {
    if (!conf.prevResult) { out({ cniVersion: conf.cniVersion, code: 7, msg: 'no prevResult' }); process.exit(1); }
    out(conf.prevResult);
  }
  process.exit(0);
}
if (cmd === 'ADD') {
  if (fs.existsSync(path.join(conf.dataDir, 'fail-add'))) {
    out({ cniVersion: conf.cniVersion, code: 11, msg: 'told to fail' });
    process.exit(1);
  }
  let n = 2;
  for (; n < 255; n++) {
    try { fs.mkdirSync(path.join(conf.dataDir, 'ip-' + n)); break; } catch {}
  }
  fs.writeFileSync(path.join(conf.dataDir, 'ip-' + n, 'id'), id);
  const pod = path.basename(env.CNI_NETNS);
  ip('-n', conf.bridgeNetns, 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', env.CNI_IFNAME, 'netns', pod);
  ip('-n', conf.bridgeNetns, 'link', 'set', hostIf, 'master', conf.bridge, 'up');
  ip('-n', pod, 'addr', 'add', conf.subnet + '.' + n + '/24', 'dev', env.CNI_IFNAME);
  ip('-n', pod, 'link', 'set', env.CNI_IFNAME, 'up');
  ip('-n', pod, 'route', 'add', 'default', 'via', conf.subnet + '.1');
  out({
    cniVersion: conf.cniVersion,
    interfaces: [{ name: hostIf }, { name: env.CNI_IFNAME, sandbox: env.CNI_NETNS }],
    ips: [{ address: conf.subnet + '.' + n + '/24', gateway: conf.subnet + '.1', interface: 1 }],
  });
} else if (cmd === 'DEL') {
  for (const d of fs.readdirSync(conf.dataDir).filter((d) => d.startsWith('ip-'))) {
    const f = path.join(conf.dataDir, d, 'id');
    if (fs.existsSync(f) && fs.readFileSync(f, 'utf8') === id) fs.rmSync(path.join(conf.dataDir, d), { recursive: true });
  }
  try { ip('-n', conf.bridgeNetns, 'link', 'del', hostIf); } catch {}
}
`;

export interface FakeCniOptions {
  /** Where the conflist, the plugins and the call log go (subdirs conf/, bin/, data/). */
  readonly dir: string;
  /** The namespace holding the bridge the pods' veths join. */
  readonly bridgeNetns: string;
  readonly bridge: string;
  /** The /24's first three octets, e.g. `10.77.3`. */
  readonly subnet: string;
  /** Chain fake-chain after fake-veth (each plugin call is a Node process: a cost). */
  readonly chained: boolean;
}

export interface FakeCni {
  readonly confDir: string;
  readonly binDir: string;
  readonly dataDir: string;
}

export async function installFakeCni(o: FakeCniOptions): Promise<FakeCni> {
  const cni = {
    confDir: join(o.dir, 'conf'),
    binDir: join(o.dir, 'bin'),
    dataDir: join(o.dir, 'data'),
  };
  for (const d of Object.values(cni)) await mkdir(d, { recursive: true });
  for (const type of ['fake-veth', 'fake-chain']) {
    await writeFile(join(cni.binDir, type), PLUGIN);
    await chmod(join(cni.binDir, type), 0o755);
  }
  const common = { dataDir: cni.dataDir };
  const list = {
    cniVersion: '1.0.0',
    name: 'fake-net',
    plugins: [
      {
        type: 'fake-veth',
        bridgeNetns: o.bridgeNetns,
        bridge: o.bridge,
        subnet: o.subnet,
        ...common,
      },
      ...(o.chained ? [{ type: 'fake-chain', ...common }] : []),
    ],
  };
  await writeFile(join(cni.confDir, '10-fake.conflist'), JSON.stringify(list));
  // Sorted after 10-fake: must never be used.
  await writeFile(
    join(cni.confDir, '20-other.conflist'),
    JSON.stringify({ ...list, name: 'other' }),
  );
  return cni;
}

export interface CniCall {
  readonly type: string;
  readonly command: string;
  readonly containerId: string;
  readonly netns: string;
  readonly ifName: string;
  readonly path: string;
  readonly args: string;
  readonly conf: Record<string, unknown>;
}

/** Every plugin call so far, oldest first. */
export async function cniCalls(cni: FakeCni): Promise<CniCall[]> {
  const text = await readFile(join(cni.dataDir, 'calls.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as CniCall);
}
