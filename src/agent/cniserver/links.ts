// The Linux side of a pod's network: the veth pair between the node's namespace (host end, on
// br-int) and the pod's (CNI_IFNAME), addresses, the default route and TX checksum offload,
// off on both ends as Antrea does for OVS's userspace datapath.
//
// The pod's namespace comes as a path (CNI_NETNS), which `ip -n` cannot take, so commands
// inside it run under `nsenter --net=PATH`. Creating and deleting go through processes kept
// waiting in the node's namespace — one `ip -batch` (IpBatch), a few shells (ShellPool) — so the
// agent spawns no process on ADD or DEL.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { ExecError, run, shellWord } from '../../util/exec.js';
import { IpBatch } from './ipbatch.js';
import { ShellPool } from './shellpool.js';

/**
 * Shells kept for concurrent ADDs: a burst of pods shares them (this node has few cores, so
 * more would only wait for CPU).
 */
const SHELLS = 4;

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

/*
 * Pods here are IPv4 only and table 10 drops their IPv6, but a link-local address on either end
 * would still send DAD, router solicitations and MLD reports through OVS's userspace datapath,
 * an upcall each (≈ 20 ms of ovs-vswitchd CPU per ADD). So neither end gets one.
 */

/**
 * `ip` words that bring the pod end up without IPv6: with `addrgenmode none` it gets no
 * address and sends none of the above. An `ip -batch` line, so the pod's namespace needs no
 * shell for it. (Without IPv6 in the kernel there is no addrgenmode to set.)
 */
export function upWithoutIPv6(dev: string, hasIPv6: boolean): string[] {
  return ['link', 'set', dev, ...(hasIPv6 ? ['addrgenmode', 'none'] : []), 'up'];
}

/**
 * Shell text that turns IPv6 off on the host end `dev` (a shell word) with a builtin's write, no
 * process. That end is created up (see create()), so its address goes this way. A kernel
 * without IPv6 has no such file: nothing to turn off, and no failure under `set -e`.
 */
export const noIPv6Command = (dev: string): string =>
  `echo 1 2>/dev/null >/proc/sys/net/ipv6/conf/${dev}/disable_ipv6 || true`;

const isMissingDevice = (e: unknown): boolean =>
  e instanceof ExecError && /Cannot find device|does not exist/.test(e.stderr);

export class PodLinks {
  private readonly shells: ShellPool;
  private readonly ip: IpBatch;
  /** A kernel booted with ipv6.disable=1 has no such directory (and no addrgenmode). */
  private readonly hasIPv6 = existsSync('/proc/sys/net/ipv6');

  /** `nodeNetns`: the node's namespace by name (absent: the agent's own namespace). */
  constructor(private readonly nodeNetns?: string) {
    const sh = ['sh', '-s'];
    this.shells = new ShellPool(
      nodeNetns === undefined ? sh : ['nsenter', `--net=/var/run/netns/${nodeNetns}`, ...sh],
      SHELLS,
    );
    this.ip = new IpBatch(nodeNetns);
  }

  /** Stops the waiting shells and ip. */
  close(): void {
    this.shells.close();
    this.ip.close();
  }

  private ipNode(args: readonly string[]): Promise<string> {
    const ns = this.nodeNetns === undefined ? [] : ['-n', this.nodeNetns];
    return run('ip', [...ns, ...args]);
  }

  /** `nsenter --net` is lighter than `ip netns exec`, which also remounts /sys. */
  private inNetns(netns: string, argv: readonly string[]): Promise<string> {
    return run('nsenter', [`--net=${netns}`, ...argv]);
  }

  /**
   * Creates the pair — the host end in the node's namespace, the pod end directly in the
   * pod's — and sets up the pod end (up, address, default route); TX checksum offload off on
   * both ends. The pod end is the one TCP needs (the pod's stack would leave checksums to
   * "hardware" that OVS's AF_PACKET socket never computes); the host end follows Antrea, so
   * nothing the node itself sends into a pod depends on offload either.
   */
  async create(spec: PodLinkSpec): Promise<void> {
    const { hostName, ifName, netns } = spec;
    const peer = ['peer', 'name', ifName, 'address', spec.mac, 'netns', netns];
    // The host end is created up and promiscuous, as ovs-vswitchd would set it when it opens the
    // port: vswitchd then writes no flags (its read-modify-write could undo an `up` set in
    // between), and the node's namespace sees one link change fewer, each of which makes
    // vswitchd reconfigure the whole bridge.
    await this.ip.run(['link', 'add', hostName, 'up', 'promisc', 'on', 'type', 'veth', ...peer]);
    // `ip -batch` input in a quoted here-document (the shell expands nothing in it); the values
    // are checked ones (CniRequest, IPAM) without whitespace.
    const podBatch = [
      upWithoutIPv6(ifName, this.hasIPv6).join(' '),
      `addr add ${spec.address} dev ${ifName}`,
      `route replace default via ${spec.gateway} dev ${ifName}`,
    ];
    // Three commands at once, none behind another process start than its own nsenter: each
    // start costs ≈ 6 ms here, and a shell inside the pod's namespace would be one more.
    const inPod = `nsenter --net=${shellWord(netns)}`;
    const script = [
      noIPv6Command(shellWord(hostName)),
      `ethtool -K ${shellWord(hostName)} tx off & host=$!`,
      `${inPod} ethtool -K ${shellWord(ifName)} tx off & pod=$!`,
      `${inPod} ip -batch - <<'END_OF_BATCH'`,
      ...podBatch,
      'END_OF_BATCH',
      'wait $host',
      'wait $pod',
    ].join('\n');
    await this.shells.run(`create ${hostName}`, script);
  }

  /** Deletes the pair through its host end (the pod end goes with it); a missing one is fine. */
  async delete(hostName: string): Promise<void> {
    try {
      await this.ip.run(['link', 'del', hostName]);
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
