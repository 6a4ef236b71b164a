// Walkthrough steps 8-13: open by default, a NetworkPolicy that blocks ch-busybox, labels that
// let it through, the table-90 flows behind it, a second peer, and the policy in antctl — each
// printing the commands a user types and checking what the seed shows.
import { escape, rows, type DemoContext, type Step } from './demo-context.js';
import { NGINX_ALLOW, NGINX_ALLOW_BUSYBOX } from './demo-manifests.js';

const WELCOME = '<title>Welcome to nginx!</title>';

/** The seed's check from ch-busybox: `wget -q -O - IP | grep title`, with a 5 s limit. */
function wget(ip: string): string {
  return `kubectl exec ch-busybox -- sh -c 'wget -q -T 5 -t 1 -O - ${ip} | grep title'`;
}

/** The wget from ch-busybox to nginx-svc's ClusterIP, until it has the expected outcome. */
async function expectReachable(ctx: DemoContext, reachable: boolean): Promise<void> {
  const ip = await ctx.clusterIP('nginx-svc');
  const r = await ctx.sh.retry(wget(ip), (x) => x.output.includes(WELCOME) === reachable);
  if (reachable) ctx.sh.check(r.output.includes(WELCOME), 'the nginx page through the ClusterIP');
  else
    ctx.sh.check(
      !r.output.includes(WELCOME) && r.code !== 0,
      'no page: the connection to the ClusterIP timed out',
    );
}

export const POLICY_STEPS: readonly Step[] = [
  {
    title: 'Open by default',
    async run(ctx) {
      await ctx.sh.run('kubectl get svc nginx-svc');
      await ctx.sh.run('kubectl get pods');
      const created = await ctx.sh.run('kubectl apply -f busybox-cor.yaml');
      ctx.sh.check(
        /pod\/ch-busybox (created|unchanged|configured)/.test(created.output),
        'ch-busybox created',
      );
      const ready = await ctx.sh.retry('kubectl get pods', (r) =>
        rows(r.output).some((p) => p[0] === 'ch-busybox' && p[1] === '1/1' && p[2] === 'Running'),
      );
      ctx.sh.check(/^ch-busybox +1\/1 +Running/m.test(ready.output), 'ch-busybox Running');
      await expectReachable(ctx, true);
    },
  },
  {
    title: 'Policy blocks',
    async run(ctx) {
      ctx.writePolicy(NGINX_ALLOW);
      await ctx.sh.run('cat antrea-network-policy.yaml');
      const r = await ctx.sh.run('kubectl apply -f antrea-network-policy.yaml');
      ctx.sh.check(
        r.output.includes('networkpolicy.networking.k8s.io/nginx-allow created'),
        'nginx-allow created',
      );
      const np = await ctx.sh.run('kubectl get networkpolicy');
      ctx.sh.check(
        /^nginx-allow +app=nginx +\S+$/m.test(np.output),
        'NAME POD-SELECTOR: nginx-allow app=nginx',
      );
      await expectReachable(ctx, false);
    },
  },
  {
    title: 'Labels open it',
    async run(ctx) {
      const r = await ctx.sh.run('kubectl label pod ch-busybox app=nginx');
      ctx.sh.check(r.output.includes('pod/ch-busybox labeled'), 'labelled app=nginx');
      const l = await ctx.sh.run('kubectl get pod ch-busybox -L app');
      ctx.sh.check(/^ch-busybox .* nginx$/m.test(l.output), 'APP column: nginx');
      await expectReachable(ctx, true);
    },
  },
  {
    title: 'The flows behind it',
    async run(ctx) {
      await ctx.sh.run('kubectl get pods -o wide');
      const node = await ctx.nginxNode();
      const r = await ctx.antctl(node, 'get ovsflows -T ingressRule');
      const flows = r.output.replace(/n_packets=\d+, n_bytes=\d+, /g, '');
      const has = (re: string): boolean => new RegExp(`^table=90, ${re}$`, 'm').test(flows);
      const gateway = (await ctx.podCIDR(node)).replace(/\.0\/\d+$/, '.1');
      ctx.sh.check(
        has('priority=210,ct_state=-new\\+est,ip actions=goto_table:105'),
        'established connections pass (priority 210)',
      );
      ctx.sh.check(
        has(`priority=210,ip,nw_src=${escape(gateway)} actions=goto_table:105`),
        `the gateway ${gateway} passes (priority 210)`,
      );
      const pods = await ctx.pods();
      const selected = pods.filter((p) => p.namespace === 'default' && p.labels['app'] === 'nginx');
      const conj =
        /priority=190,conj_id=(\d+),ip actions=load:0x1->NXM_NX_REG6\[\],goto_table:105/.exec(
          flows,
        )?.[1];
      ctx.sh.check(
        conj !== undefined,
        'the conjunction’s action flow (priority 190): mark and go to 105',
      );
      ctx.sh.check(
        selected.every((p) =>
          has(`priority=200,ip,nw_src=${escape(p.ip)} actions=conjunction\\(${conj},1/2\\)`),
        ),
        `clause 1: a source flow per app=nginx pod in the cluster (${selected.map((p) => p.ip).join(', ')})`,
      );
      const local = rows(
        (
          await ctx.sh.quiet(
            `kubectl exec ${await ctx.agentOn(node)} -n kube-system -c antrea-agent -- antctl get podinterface -n default`,
          )
        ).output,
      ).filter((i) => selected.some((p) => p.name === i[1] && p.node === node));
      ctx.sh.check(
        local.length > 0 &&
          local.every((i) =>
            has(
              `priority=200,ip,reg1=0x${Number(i[6]).toString(16)} actions=conjunction\\(${conj},2/2\\)`,
            ),
          ),
        `clause 2: a destination flow per local app=nginx pod (OF-PORTs ${local.map((i) => i[6]).join(', ')})`,
      );
      ctx.sh.check(
        has('priority=0 actions=goto_table:100'),
        'the rest goes on to table 100 (priority 0)',
      );
    },
  },
  {
    title: 'A second peer',
    async run(ctx) {
      await ctx.sh.run('kubectl label pod ch-busybox app=busybox --overwrite');
      const l = await ctx.sh.run('kubectl get pod ch-busybox -L app');
      ctx.sh.check(/^ch-busybox .* busybox$/m.test(l.output), 'APP column: busybox');
      await expectReachable(ctx, false);
      ctx.writePolicy(NGINX_ALLOW_BUSYBOX);
      await ctx.sh.run('cat antrea-network-policy.yaml');
      const r = await ctx.sh.run('kubectl apply -f antrea-network-policy.yaml');
      ctx.sh.check(
        r.output.includes('networkpolicy.networking.k8s.io/nginx-allow configured'),
        'nginx-allow configured',
      );
      await expectReachable(ctx, true);
    },
  },
  {
    title: 'Policies in antctl',
    async run(ctx) {
      const r = await ctx.antctl(await ctx.nginxNode(), 'get networkpolicy');
      ctx.sh.check(
        /^NAMESPACE +NAME +APPLIED-TO +RULES$/m.test(r.output),
        'columns NAMESPACE NAME APPLIED-TO RULES',
      );
      ctx.sh.check(
        /^default +nginx-allow +[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} +1$/m.test(
          r.output,
        ),
        'default nginx-allow <applied-to group> 1',
      );
    },
  },
];
