// The Linux side of a pod's network: the veth pair between the node's namespace (host end, on
// br-int) and the pod's (CNI_IFNAME), addresses, the default route and TX checksum offload,
// off on both ends as Antrea does for OVS's userspace datapath.
//
// The pod's namespace comes as a path (CNI_NETNS), which `ip -n` cannot take, so commands
// inside it run under `nsenter --net=PATH`.
import { randomBytes } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import { ExecError, run } from '../../util/exec.js';

/** statfs type of an nsfs file: a bind-mounted /var/run/netns/X or /proc/PID/ns/net. */
const NSFS_MAGIC = 0x6e736673;

export interface PodLinkSpec {
  /** Host end, in the node's namespace. */
  readonly hostName: string;
  /** Path of the pod's network namespace. */
  readonly netns: string;
  /** Pod end, e.g. `eth0`. */
  readonly ifName: string;
  readonly mac: string;
  /** `ip/prefix`. */
  readonly address: string;
  readonly gateway: string;
}

/** Whether the path is a network namespace (a missing path is not). */
export async function isNetns(path: string): Promise<boolean> {
  try {
    return (await statfs(path)).type === NSFS_MAGIC;
  } catch {
    return false;
  }
}

/** A random locally administered unicast MAC, as the kernel would give a veth. */
export function randomMac(): string {
  const bytes = randomBytes(6);
  bytes[0] = (bytes[0] & 0xfe) | 0x02;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

const isMissingDevice = (e: unknown): boolean =>
  e instanceof ExecError && /Cannot find device|does not exist/.test(e.stderr);

export class PodLinks {
  /** `nodeNetns`: the node's namespace by name (absent: the agent's own namespace). */
  constructor(private readonly nodeNetns?: string) {}

  private ipNode(args: readonly string[], input?: string): Promise<string> {
    const ns = this.nodeNetns === undefined ? [] : ['-n', this.nodeNetns];
    return run('ip', [...ns, ...args], { input });
  }

  /** `nsenter --net` is lighter than `ip netns exec`, which also remounts /sys. */
  private inNetns(netns: string, argv: readonly string[], input?: string): Promise<string> {
    return run('nsenter', [`--net=${netns}`, ...argv], { input });
  }

  /**
   * Creates the pair — the host end up in the node's namespace, the pod end directly in the
   * pod's — and sets up the pod end: address, link, default route; TX checksum offload off on
   * both ends. The pod end is the one TCP needs (the pod's stack would leave checksums to
   * "hardware" that OVS's AF_PACKET socket never computes); the host end follows Antrea, so
   * nothing the node itself sends into a pod depends on offload either.
   */
  async create(spec: PodLinkSpec): Promise<void> {
    const podBatch = [
      `addr add ${spec.address} dev ${spec.ifName}`,
      `link set ${spec.ifName} up`,
      `route replace default via ${spec.gateway} dev ${spec.ifName}`,
    ];
    // One shell for every step: each process the agent spawns blocks its event loop until the
    // child has exec'd (10-50 ms on a busy node), a shell's children do not. Values reach the
    // script as positional parameters, never as script text.
    const script = [
      'set -e',
      'ip link add "$1" up type veth peer name "$2" address "$3" netns "$4"',
      'nsenter --net="$4" ip -batch -',
      'nsenter --net="$4" ethtool -K "$2" tx off',
      'ethtool -K "$1" tx off',
    ].join('\n');
    const argv = ['sh', '-c', script, 'sh', spec.hostName, spec.ifName, spec.mac, spec.netns];
    const input = podBatch.join('\n') + '\n';
    if (this.nodeNetns === undefined) await run(argv[0], argv.slice(1), { input });
    else await this.inNetns(`/var/run/netns/${this.nodeNetns}`, argv, input);
  }

  /** Deletes the pair through its host end (the pod end goes with it); a missing one is fine. */
  async delete(hostName: string): Promise<void> {
    try {
      await this.ipNode(['link', 'del', hostName]);
    } catch (e) {
      if (!isMissingDevice(e)) throw e;
    }
  }

  /** Whether the host end exists and is up. */
  async hostEndUp(hostName: string): Promise<boolean> {
    try {
      const [link] = JSON.parse(await this.ipNode(['-j', 'link', 'show', hostName])) as {
        flags?: string[];
      }[];
      return link?.flags?.includes('UP') ?? false;
    } catch (e) {
      if (isMissingDevice(e)) return false;
      throw e;
    }
  }

  /** The `ip/prefix` addresses of the pod's interface; undefined if it does not exist. */
  async podAddresses(netns: string, ifName: string): Promise<string[] | undefined> {
    try {
      const out = await this.inNetns(netns, ['ip', '-j', '-4', 'addr', 'show', 'dev', ifName]);
      const [link] = JSON.parse(out) as { addr_info?: { local: string; prefixlen: number }[] }[];
      return (link?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
    } catch (e) {
      if (isMissingDevice(e)) return undefined;
      throw e;
    }
  }
}
