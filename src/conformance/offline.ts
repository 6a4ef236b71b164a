// The offline matrix source: the controller's computation and the reference evaluation, as
// `antctl analyze` does it. Pods get addresses of a private test range.
import type { KubeObject, Protocol } from '../apis/index.js';
import { ReachabilityModel } from '../antctl/analyze/reachability.js';
import { MODEL_NAMESPACES, MODEL_PODS, modelNamespace, modelPod } from './model.js';
import type { Matrix, MatrixSource } from './runner.js';

export class OfflineSource implements MatrixSource {
  readonly retries = 0;
  private model = new ReachabilityModel([]);
  private readonly ips = new Map<string, string>();

  async reset(): Promise<ReadonlyMap<string, string>> {
    this.model = new ReachabilityModel([]);
    this.ips.clear();
    MODEL_NAMESPACES.forEach((ns, i) => {
      this.model.apply(modelNamespace(ns));
      MODEL_PODS.forEach((p, j) => {
        const ip = `10.10.${i}.${j + 10}`;
        this.ips.set(`${ns}/${p}`, ip);
        this.model.apply(modelPod(ns, p, { ip, node: `node-${(i * 3 + j) % 2}` }));
      });
    });
    return this.ips;
  }

  async apply(objects: readonly KubeObject[]): Promise<void> {
    for (const o of objects) this.model.apply(o);
  }

  async delete(objects: readonly KubeObject[]): Promise<void> {
    for (const o of objects) this.model.delete(o);
  }

  async setLabels(
    kind: 'Pod' | 'Namespace',
    namespace: string | undefined,
    name: string,
    labels: Record<string, string>,
  ): Promise<void> {
    if (kind === 'Namespace') this.model.apply(modelNamespace(name, labels));
    else {
      const i = MODEL_NAMESPACES.indexOf(namespace as (typeof MODEL_NAMESPACES)[number]);
      const j = MODEL_PODS.indexOf(name as (typeof MODEL_PODS)[number]);
      this.model.apply(
        modelPod(namespace!, name, {
          ip: this.ips.get(`${namespace}/${name}`)!,
          node: `node-${(i * 3 + j) % 2}`,
          labels,
        }),
      );
    }
  }

  async probe(port: number, protocol: Protocol): Promise<Matrix> {
    return this.model.matrix([{ port, protocol }])[0]!.reachable;
  }
}
