// Walkthrough steps 1-7: the cluster as it is — nodes, Antrea's pods, the Services, the agent's
// containers, its OVS bridge, antctl in the agent, and the AntreaAgentInfo — each printing the
// commands a user types and checking what the seed shows.
import { CLUSTER_DNS_IP } from './dns-objects.js';
import { escape, rows, type Step } from './demo-context.js';
import type { Ran } from './demo-shell.js';

/** One row of a `kubectl get … -A` table by namespace and name. */
function row(output: string, namespace: string, name: string): string[] | undefined {
  return rows(output).find((r) => r[0] === namespace && r[1] === name);
}

export const INSPECT_STEPS: readonly Step[] = [
  {
    title: 'Nodes',
    async run(ctx) {
      const r = await ctx.sh.run('kubectl get nodes');
      const nodes = rows(r.output);
      ctx.sh.check(nodes.length === ctx.nodeCount, `${ctx.nodeCount} nodes`);
      ctx.sh.check(
        nodes.filter((n) => /master|control-plane/.test(n[2] ?? '')).length === 1,
        'one control plane, the others workers',
      );
      ctx.sh.check(
        nodes.every((n) => n[1] === 'Ready'),
        'all Ready',
      );
    },
  },
  {
    title: 'Antrea components',
    async run(ctx) {
      const r = await ctx.sh.run('kubectl get pods -A | grep antrea');
      const pods = rows(r.output);
      const agents = pods.filter((p) => /^antrea-agent-[a-z0-9]{5}$/.test(p[1] ?? ''));
      ctx.sh.check(
        agents.length === ctx.nodeCount &&
          agents.every((p) => p[0] === 'kube-system' && p[2] === '2/2' && p[3] === 'Running'),
        `one antrea-agent per node, 2/2 Running, in kube-system`,
      );
      const controllers = pods.filter((p) =>
        /^antrea-controller-[a-z0-9]+-[a-z0-9]{5}$/.test(p[1] ?? ''),
      );
      ctx.sh.check(
        controllers.length === 1 &&
          controllers[0]![2] === '1/1' &&
          controllers[0]![3] === 'Running',
        'one antrea-controller, 1/1 Running',
      );
    },
  },
  {
    title: 'Workloads and Services',
    async run(ctx) {
      const hasExternalIP = (r: Ran): boolean =>
        /^\d+\.\d+\.\d+\.\d+$/.test(row(r.output, 'default', 'nginx-svc')?.[4] ?? '');
      const r = await ctx.sh.retry('kubectl get svc -A', hasExternalIP);
      const svc = (ns: string, name: string) => row(r.output, ns, name) ?? [];
      const cassandra = svc('cassandra', 'cassandra');
      ctx.sh.check(
        cassandra[2] === 'ClusterIP' && cassandra[5] === '9042/TCP',
        'cassandra/cassandra: ClusterIP, 9042/TCP',
      );
      ctx.sh.check(svc('default', 'kubernetes')[5] === '443/TCP', 'default/kubernetes: 443/TCP');
      ctx.sh.check(svc('kube-system', 'antrea')[5] === '443/TCP', 'kube-system/antrea: 443/TCP');
      const dns = svc('kube-system', 'kube-dns');
      ctx.sh.check(
        dns[3] === CLUSTER_DNS_IP && dns[5] === '53/UDP,53/TCP,9153/TCP',
        `kube-system/kube-dns: ${CLUSTER_DNS_IP}, 53/UDP,53/TCP,9153/TCP`,
      );
      const nginx = svc('default', 'nginx-svc');
      ctx.sh.check(
        nginx[2] === 'LoadBalancer' && /^443:\d+\/TCP,80:\d+\/TCP$/.test(nginx[5] ?? ''),
        'default/nginx-svc: LoadBalancer, 443 and 80 with their NodePorts',
      );
      ctx.sh.check(hasExternalIP(r), 'default/nginx-svc has an EXTERNAL-IP');
    },
  },
  {
    title: 'Container names',
    async run(ctx) {
      const agent = await ctx.agentOn(await ctx.nginxNode());
      const logs = await ctx.sh.run(`kubectl logs ${agent} -n kube-system`, 3);
      ctx.sh.check(
        logs.output.includes('antrea-agent, antrea-ovs, install-cni (init)'),
        'kubectl names the containers (antrea-agent, antrea-ovs, init container install-cni)',
      );
      ctx.sh.note(
        'kubectl 1.32 defaults `logs` to the first container where the seed’s kubectl failed.\n' +
          'The API server itself still refuses a log request that names no container:',
      );
      const raw = await ctx.sh.run(
        `kubectl get --raw /api/v1/namespaces/kube-system/pods/${agent}/log`,
      );
      ctx.sh.check(
        raw.output.includes(
          `a container name must be specified for pod ${agent}, choose one of: [antrea-agent antrea-ovs] or one of the init containers: [install-cni]`,
        ),
        'the seed’s message, from the API server (400)',
      );
    },
  },
  {
    title: 'OVS',
    async run(ctx) {
      const node = await ctx.nginxNode();
      const agent = await ctx.agentOn(node);
      const r = await ctx.sh.run(
        `kubectl exec ${agent} -n kube-system -c antrea-ovs -- ovs-vsctl show`,
      );
      ctx.sh.check(/Bridge br-int/.test(r.output), 'bridge br-int');
      ctx.sh.check(
        /Port antrea-gw0\n\s+Interface antrea-gw0\n\s+type: internal/.test(r.output),
        'antrea-gw0, type internal',
      );
      ctx.sh.check(
        /Port antrea-tun0\n\s+Interface antrea-tun0\n\s+type: geneve\n\s+options: \{csum="true", key=flow, remote_ip=flow\}/.test(
          r.output,
        ),
        'antrea-tun0, type geneve, options {csum="true", key=flow, remote_ip=flow}',
      );
      const local = (await ctx.pods()).filter((p) => p.node === node && !p.hostNetwork);
      ctx.sh.check(
        local.every((p) =>
          new RegExp(`Port ${escape(p.name.slice(0, 8))}-[0-9a-f]{6}\\n`).test(r.output),
        ),
        `a port per local pod, named like the seed's (${local.map((p) => p.name).join(', ')})`,
      );
    },
  },
  {
    title: 'antctl',
    async run(ctx) {
      const node = await ctx.nginxNode();
      const help = await ctx.antctl(node, 'get');
      ctx.sh.check(
        [
          'addressgroup',
          'agentinfo',
          'appliedtogroup',
          'networkpolicy',
          'ovsflows',
          'podinterface',
        ].every((c) => new RegExp(`^  ${c} +\\S`, 'm').test(help.output)) &&
          ['-k, --kubeconfig', '-s, --server', '-t, --timeout', '-v, --verbose'].every((f) =>
            help.output.includes(f),
          ),
        'the six resources and the global flags -k -s -t -v',
      );
      const pi = await ctx.antctl(node, 'get podinterface');
      ctx.sh.check(
        /^NAMESPACE +NAME +INTERFACE-NAME +IP +MAC +PORT-UUID +OF-PORT +CONTAINER-ID$/m.test(
          pi.output,
        ),
        'podinterface columns as the seed',
      );
      const local = (await ctx.pods()).filter((p) => p.node === node && !p.hostNetwork);
      const interfaces = rows(pi.output);
      ctx.sh.check(
        local.every((p) => interfaces.some((i) => i[0] === p.namespace && i[1] === p.name)) &&
          interfaces.length === local.length,
        'one row per local pod',
      );
      const of = await ctx.antctl(node, 'get ovsflows -h');
      ctx.sh.check(
        /Aliases:\n  ovsflows, of\n/.test(of.output) &&
          of.output.includes('  0     Classification\n  5     Uplink\n') &&
          of.output.includes('  106   HairpinSNATTable\n  110   Output\n'),
        'usage, alias of, and the table list 0 Classification … 110 Output',
      );
      const nginx = interfaces.find(
        (i) => i[0] === 'default' && i[1]!.startsWith('nginx-deployment'),
      );
      if (nginx === undefined) throw new Error(`no nginx pod on ${node}`);
      const [, pod, ifName, ip, mac, , ofport] = nginx as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const flows = await ctx.antctl(node, `get ovsflows -n default -p ${pod}`);
      const has = (re: string): boolean =>
        new RegExp(`^table=${re}$`, 'm').test(
          flows.output.replace(/n_packets=\d+, n_bytes=\d+, /g, ''),
        );
      const n = escape;
      ctx.sh.check(/^FLOW$/m.test(flows.output), 'a FLOW header');
      ctx.sh.check(
        has(
          `70, priority=200,ip,.*nw_dst=${n(ip)} actions=set_field:[0-9a-f:]{17}->eth_src,set_field:${n(mac)}->eth_dst,dec_ttl,goto_table:80`,
        ),
        'table 70: to the pod, gateway MAC as source, pod MAC as destination, dec_ttl',
      );
      ctx.sh.check(
        has(
          `0, priority=190,in_port="${n(ifName)}" actions=load:0x2->NXM_NX_REG0\\[0\\.\\.15\\],goto_table:10`,
        ),
        'table 0: from the pod’s port, port type into reg0',
      );
      ctx.sh.check(
        has(
          `10, priority=200,ip,in_port="${n(ifName)}",dl_src=${n(mac)},nw_src=${n(ip)} actions=goto_table:\\d+`,
        ) &&
          has(
            `10, priority=200,arp,in_port="${n(ifName)}",arp_spa=${n(ip)},arp_sha=${n(mac)} actions=goto_table:20`,
          ),
        'table 10: IP and ARP SpoofGuard on port, MAC and IP',
      );
      ctx.sh.check(
        has(
          `80, priority=200,dl_dst=${n(mac)} actions=load:0x${Number(ofport).toString(16)}->NXM_NX_REG1\\[\\],load:0x1->NXM_NX_REG0\\[16\\],goto_table:\\d+`,
        ),
        'table 80: the ofport into reg1, the "output port found" bit of reg0',
      );
      const info = await ctx.antctl(node, 'get agentinfo');
      const [agentRow] = rows(info.output.replace(/^POD .*\n/, ''));
      ctx.sh.check(
        /^POD +NODE +STATUS +NODE-SUBNET +NETWORK-POLICIES +ADDRESS-GROUPS +APPLIED-TO-GROUPS +LOCAL-PODS$/m.test(
          info.output,
        ) &&
          agentRow?.[1] === node &&
          agentRow[2] === 'Healthy' &&
          agentRow[3] === (await ctx.podCIDR(node)) &&
          agentRow[7] === String(local.length),
        'agentinfo: this node, Healthy, its PodCIDR, its local pods',
      );
    },
  },
  {
    title: 'AgentInfo CRD',
    async run(ctx) {
      const controlPlane = rows((await ctx.sh.quiet('kubectl get nodes')).output).find((n) =>
        /master|control-plane/.test(n[2] ?? ''),
      )?.[0];
      const r = await ctx.sh.run(`kubectl describe antreaagentinfos ${controlPlane}`);
      ctx.sh.check(
        /Agent Conditions:[\s\S]*Status: +True\n +Type: +AgentHealthy/.test(r.output),
        'AgentHealthy True, with its last heartbeat',
      );
      for (const [re, what] of [
        [/Local Pod Num: +\d+/, 'the local pod count'],
        [/Node Ref:\n +Kind: +Node/, 'the node ref'],
        [/Node Subnets?:\n +\d+\.\d+\.\d+\.\d+\/\d+/, 'the node subnet'],
        [
          /Ovs Info:\n +Bridge Name: +br-int\n +Flow Table:\n( +\d+: +\d+\n)+ +Version: +\S+/,
          'OVS: bridge, flows per table, version',
        ],
        [/Pod Ref:\n +Kind: +Pod\n +Name: +antrea-agent-/, 'the pod ref'],
      ] as const)
        ctx.sh.check(re.test(r.output), what);
    },
  },
];
