// The conformance model on a running cluster, with real traffic: kubectl apply/delete/label and
// probes through `kubectl exec` from every model pod (nc for TCP connects and UDP replies).
import type { KubeObject, Pod, Protocol } from '../apis/index.js';
import { Kubectl } from './kubectl.js';
import { MODEL_NAMESPACES, MODEL_PODS, modelNamespace, modelPod, modelPodKeys } from './model.js';
import type { Matrix, MatrixSource } from './runner.js';

/** Kinds a case may create: what reset() removes again (plurals for kubectl). */
const CASE_KINDS = [
  'networkpolicies.networking.k8s.io',
  'networkpolicies.crd.antrea.io',
  'groups.crd.antrea.io',
  'clusternetworkpolicies.crd.antrea.io',
  'clustergroups.crd.antrea.io',
];
const DEFAULT_TIERS = new Set([
  'emergency',
  'securityops',
  'networkops',
  'platform',
  'application',
  'baseline',
]);

export class LiveClusterSource implements MatrixSource {
  readonly retries = 10;
  private readonly kubectl: Kubectl;
  private ips = new Map<string, string>();

  /** `nodes`: model pods are spread over these, round robin (the workers). */
  constructor(
    kubeconfig: string,
    private readonly nodes: readonly string[],
  ) {
    this.kubectl = new Kubectl(kubeconfig);
  }

  /**
   * Back to the pristine model in a few kubectl calls (each costs a process start and a round
   * trip): one delete of every case kind in every namespace, the model applied, labels fixed
   * only where a previous case changed them, and a wait only for pods not yet Ready.
   */
  async reset(): Promise<ReadonlyMap<string, string>> {
    await this.kubectl
      .run(['delete', CASE_KINDS.join(','), '--all', '--all-namespaces', '--wait=false'])
      .catch(() => '');
    const tiers = await this.kubectl
      .json<{ items: KubeObject[] }>(['get', 'tiers.crd.antrea.io'])
      .catch(() => ({ items: [] }));
    const custom = tiers.items
      .map((t) => t.metadata.name ?? '')
      .filter((n) => !DEFAULT_TIERS.has(n));
    if (custom.length) await this.kubectl.run(['delete', 'tiers.crd.antrea.io', ...custom]);
    const objects: KubeObject[] = [];
    MODEL_NAMESPACES.forEach((ns, i) => {
      objects.push(modelNamespace(ns));
      MODEL_PODS.forEach((p, j) => {
        const node = this.nodes[(i * MODEL_PODS.length + j) % this.nodes.length];
        const pod = modelPod(ns, p, node ? { node } : {});
        objects.push({ ...pod, status: undefined } as Pod);
      });
    });
    await this.apply(objects);
    // Labels back to the model's (a previous case may have changed them).
    const namespaces = await this.kubectl.json<{ items: KubeObject[] }>(['get', 'namespaces']);
    for (const ns of MODEL_NAMESPACES) {
      const current = namespaces.items.find((o) => o.metadata.name === ns);
      await this.setLabels('Namespace', undefined, ns, { ns }, current);
    }
    let pods = await this.modelPods();
    for (const ns of MODEL_NAMESPACES) {
      for (const p of MODEL_PODS) {
        const current = pods.find((o) => o.metadata.namespace === ns && o.metadata.name === p);
        await this.setLabels('Pod', ns, p, { pod: p }, current);
      }
    }
    const ready = (p: Pod) =>
      p.status?.podIP !== undefined &&
      (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    if (pods.length < modelPodKeys().length || !pods.every(ready)) {
      for (const ns of MODEL_NAMESPACES) {
        await this.kubectl.run([
          'wait',
          '--for=condition=Ready',
          'pod',
          '--all',
          '--timeout=120s',
          '-n',
          ns,
        ]);
      }
      pods = await this.modelPods();
    }
    this.ips = new Map();
    for (const p of pods)
      if (p.status?.podIP)
        this.ips.set(`${p.metadata.namespace}/${p.metadata.name}`, p.status.podIP);
    return this.ips;
  }

  /** The model's pods as the API has them now (one call for every model namespace). */
  private async modelPods(): Promise<Pod[]> {
    const keys = new Set(modelPodKeys());
    const all = await this.kubectl.json<{ items: Pod[] }>(['get', 'pods', '--all-namespaces']);
    return all.items.filter((p) => keys.has(`${p.metadata.namespace}/${p.metadata.name}`));
  }

  async apply(objects: readonly KubeObject[]): Promise<void> {
    await this.kubectl.run(
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
    );
  }

  async delete(objects: readonly KubeObject[]): Promise<void> {
    for (const o of objects) {
      const group = (o.apiVersion ?? '').includes('/')
        ? `.${(o.apiVersion ?? '').split('/')[0]}`
        : o.kind === 'NetworkPolicy'
          ? '.networking.k8s.io'
          : '';
      const ns = o.metadata.namespace ? ['-n', o.metadata.namespace] : [];
      await this.kubectl.run([
        'delete',
        `${(o.kind ?? '').toLowerCase()}${group}`,
        o.metadata.name ?? '',
        ...ns,
        '--ignore-not-found',
      ]);
    }
  }

  async setLabels(
    kind: 'Pod' | 'Namespace',
    namespace: string | undefined,
    name: string,
    labels: Record<string, string>,
    /** The object as just read, when the caller has it: saves a kubectl call. */
    known?: KubeObject,
  ): Promise<void> {
    const target =
      kind === 'Pod' ? ['pod', name, '-n', namespace ?? 'default'] : ['namespace', name];
    const current = known ?? (await this.kubectl.json<KubeObject>(['get', ...target]));
    const keep = kind === 'Namespace' ? ['kubernetes.io/metadata.name'] : [];
    const remove = Object.keys(current.metadata.labels ?? {}).filter(
      (k) => !(k in labels) && !keep.includes(k),
    );
    const set = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    if (set.length + remove.length === 0) return;
    await this.kubectl.run([
      'label',
      ...target,
      '--overwrite',
      ...set,
      ...remove.map((k) => `${k}-`),
    ]);
  }

  async probe(port: number, protocol: Protocol): Promise<Matrix> {
    const keys = modelPodKeys();
    const targets = keys.map((k) => `${k}=${this.ips.get(k)}`).join(' ');
    // One exec per source: every destination probed in parallel, one line per reachable one.
    const probe =
      protocol === 'UDP'
        ? `r=$(echo probe | nc -u -w 2 "$ip" ${port} 2>/dev/null | head -c 200); [ -n "$r" ]`
        : `nc -z -w 2 "$ip" ${port} 2>/dev/null`;
    const script = `for t in ${targets}; do (key=\${t%%=*}; ip=\${t#*=}; if ${probe}; then echo "$key"; fi) & done; wait`;
    const matrix: Matrix = {};
    await Promise.all(
      keys.map(async (src) => {
        const [ns, pod] = src.split('/') as [string, string];
        const out = await this.kubectl
          .run(['exec', '-n', ns, pod, '--', 'sh', '-c', script])
          .catch(() => '');
        matrix[src] = out
          .split('\n')
          .filter((l) => keys.includes(l))
          .sort();
      }),
    );
    return matrix;
  }
}
