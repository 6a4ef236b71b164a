// The node's own network side of Services (Antrea's route client with proxyAll, reduced): the
// node sends Service traffic into OVS through antrea-gw0, to a virtual next hop whose neighbour
// entry is the global virtual MAC, so the pipeline routes the DNATed packet like one from the
// tunnel. Routed this way: the Service CIDR (discovered from the ClusterIPs seen, only growing,
// as Antrea discovers it), each LoadBalancer IP, and — through a rule placed before the `local`
// table — NodePort-range traffic to any node's IP, the node's own included. Replies to the
// node's own IP come back through antrea-gw0, hence accept_local there. Everything stays in the
// node's namespace (ARCHITECTURE: Sealed).
import { ipv4ToInt, intToIPv4 } from '../../util/ipv4.js';
import { run } from '../../util/exec.js';
import { GATEWAY_PORT_NAME, GLOBAL_VIRTUAL_MAC } from '../openflow/types.js';
import type { ServiceAddresses } from './proxier.js';

/** Antrea's virtual Service IP: the next hop of every Service route. */
export const VIRTUAL_NEXT_HOP = '169.254.0.253';
/** Routing table of NodePort traffic, and the priorities of its rules and of `local`. */
const NODEPORT_TABLE = 300;
const NODEPORT_RULE_PREF = 10;
const LOCAL_RULE_PREF = 20;
/** kube-apiserver's default --service-node-port-range. */
const NODEPORT_RANGE = '30000-32767';
const NODEPORT_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
/** Tells the Service CIDR's route from LoadBalancer IPs' after a restart (both may be /32). */
const SERVICE_CIDR_PROTO = 'static';

interface RuleJSON {
  readonly priority: number;
  readonly dst?: string;
  readonly ipproto?: string;
  readonly table?: string;
}

/** The smallest CIDR holding every address and the given CIDR (IPv4). */
export function coveringCIDR(ips: Iterable<string>, cidr?: string): string | undefined {
  const ns = [...ips].map(ipv4ToInt);
  if (cidr !== undefined) {
    const [network, bits] = cidr.split('/');
    const first = ipv4ToInt(network);
    ns.push(first, first + 2 ** (32 - Number(bits)) - 1);
  }
  if (ns.length === 0) return undefined;
  let lo = Math.min(...ns);
  let hi = Math.max(...ns);
  let prefix = 32;
  while (prefix > 0 && lo !== hi) {
    prefix--;
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    lo = (lo & mask) >>> 0;
    hi = (hi & mask) >>> 0;
  }
  return `${intToIPv4(lo)}/${prefix}`;
}

export class ServiceRoutes {
  private serviceCIDR: string | undefined;
  private readonly lbIPs = new Set<string>();
  /** Node IPs whose NodePort rules are installed. */
  private readonly nodeIPs = new Set<string>();
  /** Every ClusterIP seen: the discovered CIDR only grows. */
  private readonly clusterIPs = new Set<string>();

  constructor(private readonly netns: string | undefined) {}

  /** The next hop, the NodePort table and rules' frame; picks up what a previous run left. */
  async init(): Promise<void> {
    await run(
      'sysctl',
      [
        '-q',
        '-w',
        `net.ipv4.conf.${GATEWAY_PORT_NAME}.accept_local=1`,
        // The userspace datapath leaves the pods' veth ends visible to the node's kernel: with
        // the default arp_ignore=0 it answers a pod's ARP for the gateway with the veth's MAC,
        // and then takes the pod's replies itself, before OVS could undo a Service's DNAT.
        'net.ipv4.conf.all.arp_ignore=1',
        // Host-network endpoints answer pods from a node address that is not antrea-gw0's; the
        // ARP for the pod must still come from the gateway's address (SpoofGuard checks it).
        `net.ipv4.conf.${GATEWAY_PORT_NAME}.arp_announce=2`,
      ],
      this.netns === undefined ? {} : { netns: this.netns },
    );
    const rules = JSON.parse(await this.ip(['-j', 'rule', 'show'])) as RuleJSON[];
    const lines = [
      `neigh replace ${VIRTUAL_NEXT_HOP} lladdr ${GLOBAL_VIRTUAL_MAC} dev ${GATEWAY_PORT_NAME} nud permanent`,
      `route replace default via ${VIRTUAL_NEXT_HOP} dev ${GATEWAY_PORT_NAME} onlink table ${NODEPORT_TABLE}`,
    ];
    // Rules are evaluated by priority; `local` (0) must come after the NodePort rules.
    if (!rules.some((r) => r.priority === LOCAL_RULE_PREF && r.table === 'local')) {
      lines.push(`rule add pref ${LOCAL_RULE_PREF} lookup local`);
    }
    if (rules.some((r) => r.priority === 0 && r.table === 'local')) {
      lines.push('rule del pref 0 lookup local');
    }
    await this.batch(lines);
    for (const r of rules) {
      if (r.priority === NODEPORT_RULE_PREF && r.dst !== undefined) this.nodeIPs.add(r.dst);
    }
    const routes = JSON.parse(await this.ip(['-j', 'route', 'show', 'via', VIRTUAL_NEXT_HOP])) as {
      dst: string;
      protocol?: string;
    }[];
    for (const { dst, protocol } of routes) {
      if (protocol === SERVICE_CIDR_PROTO) this.serviceCIDR = dst.includes('/') ? dst : `${dst}/32`;
      else this.lbIPs.add(dst);
    }
  }

  async sync(a: ServiceAddresses): Promise<void> {
    const lines: string[] = [];
    const via = `via ${VIRTUAL_NEXT_HOP} dev ${GATEWAY_PORT_NAME} onlink`;
    for (const ip of a.clusterIPs) this.clusterIPs.add(ip);
    // Additions must land; removals of what is already gone are no error (second batch).
    const removals: string[] = [];
    const cidr = coveringCIDR(this.clusterIPs, this.serviceCIDR);
    if (cidr !== undefined && cidr !== this.serviceCIDR) {
      lines.push(`route replace ${cidr} ${via} proto ${SERVICE_CIDR_PROTO}`);
      if (this.serviceCIDR !== undefined) {
        removals.push(`route del ${this.serviceCIDR} ${via} proto ${SERVICE_CIDR_PROTO}`);
      }
    }
    const lb = new Set(a.loadBalancerIPs);
    for (const ip of lb) if (!this.lbIPs.has(ip)) lines.push(`route replace ${ip}/32 ${via}`);
    for (const ip of this.lbIPs) if (!lb.has(ip)) removals.push(`route del ${ip}/32 ${via}`);
    const nodes = new Set(a.nodeIPs);
    const rule = (op: string, ip: string) =>
      NODEPORT_PROTOCOLS.map(
        (p) =>
          `rule ${op} pref ${NODEPORT_RULE_PREF} to ${ip}/32 ipproto ${p} ` +
          `dport ${NODEPORT_RANGE} lookup ${NODEPORT_TABLE}`,
      );
    for (const ip of nodes) if (!this.nodeIPs.has(ip)) lines.push(...rule('add', ip));
    for (const ip of this.nodeIPs) if (!nodes.has(ip)) removals.push(...rule('del', ip));
    if (lines.length > 0) await this.batch(lines);
    if (removals.length > 0) await this.batch(removals, true).catch(() => undefined);
    if (cidr !== undefined) this.serviceCIDR = cidr;
    this.lbIPs.clear();
    for (const ip of lb) this.lbIPs.add(ip);
    this.nodeIPs.clear();
    for (const ip of nodes) this.nodeIPs.add(ip);
  }

  private ip(args: readonly string[], input?: string): Promise<string> {
    return run('ip', [...(this.netns === undefined ? [] : ['-n', this.netns]), ...args], {
      input,
    });
  }

  /** One `ip` process for many commands; `force`: go on past failing ones. */
  private async batch(lines: readonly string[], force = false): Promise<void> {
    await this.ip([...(force ? ['-force'] : []), '-batch', '-'], lines.join('\n') + '\n');
  }
}
