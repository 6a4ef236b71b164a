// What the demo's steps share: the shell, the demo's directory, the cluster's size, and quiet
// kubectl lookups of facts a check needs beyond what a step prints (which node runs which pod,
// an agent's name, a node's PodCIDR); everything judged is the printed output.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ran, Shell } from './demo-shell.js';

export interface PodFacts {
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  readonly ip: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly hostNetwork: boolean;
}

export class DemoContext {
  constructor(
    readonly sh: Shell,
    readonly dir: string,
    readonly nodeCount: number,
  ) {}

  private async json<T>(command: string): Promise<T> {
    const r = await this.sh.quiet(command);
    if (r.code !== 0) throw new Error(`${command}: ${r.output.trim()}`);
    return JSON.parse(r.output) as T;
  }

  async pods(): Promise<PodFacts[]> {
    type Item = {
      metadata: { name: string; namespace: string; labels?: Record<string, string> };
      spec: { nodeName?: string; hostNetwork?: boolean };
      status: { podIP?: string };
    };
    const list = await this.json<{ items: Item[] }>('kubectl get pods -A -o json');
    return list.items.map((p) => ({
      namespace: p.metadata.namespace,
      name: p.metadata.name,
      node: p.spec.nodeName ?? '',
      ip: p.status.podIP ?? '',
      labels: p.metadata.labels ?? {},
      hostNetwork: p.spec.hostNetwork === true,
    }));
  }

  async agentOn(node: string): Promise<string> {
    const agent = (await this.pods()).find(
      (p) => p.node === node && p.labels['component'] === 'antrea-agent',
    );
    if (agent === undefined) throw new Error(`no antrea-agent on ${node}`);
    return agent.name;
  }

  /**
   * A node running nginx pods, as the seed looks at: ch-busybox's if it runs some (its flows
   * then show the busybox too, as the seed's do), else the one running the most.
   */
  async nginxNode(): Promise<string> {
    const pods = await this.pods();
    const counts = new Map<string, number>();
    for (const p of pods)
      if (p.namespace === 'default' && p.name.startsWith('nginx-deployment'))
        counts.set(p.node, (counts.get(p.node) ?? 0) + 1);
    const busybox = pods.find((p) => p.namespace === 'default' && p.name === 'ch-busybox');
    if (busybox !== undefined && counts.has(busybox.node)) return busybox.node;
    const best = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
    if (best === undefined) throw new Error('no nginx pods');
    return best[0];
  }

  async podCIDR(node: string): Promise<string> {
    const r = await this.sh.quiet(`kubectl get node ${node} -o jsonpath='{.spec.podCIDR}'`);
    return r.output.trim();
  }

  async clusterIP(service: string): Promise<string> {
    const r = await this.sh.quiet(`kubectl get svc ${service} -o jsonpath='{.spec.clusterIP}'`);
    return r.output.trim();
  }

  /** `antctl` in node's antrea-agent container, as the seed runs it. */
  async antctl(node: string, args: string, maxLines?: number): Promise<Ran> {
    const agent = await this.agentOn(node);
    return this.sh.run(
      `kubectl exec ${agent} -n kube-system -c antrea-agent -- antctl ${args}`,
      maxLines,
    );
  }

  writePolicy(text: string): void {
    writeFileSync(join(this.dir, 'antrea-network-policy.yaml'), text);
  }
}

/** One step of the walkthrough. */
export interface Step {
  readonly title: string;
  run(ctx: DemoContext): Promise<void>;
}

/** Whitespace-separated cells of each line after the header. */
export function rows(output: string): string[][] {
  return output
    .trim()
    .split('\n')
    .filter((l) => !/^(NAME|NAMESPACE)\s/.test(l))
    .map((l) => l.trim().split(/\s+/));
}

export const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
