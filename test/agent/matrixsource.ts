// The conformance "matrix source" on real traffic through one node: the 9 model pods (x/a …
// z/c) as namespaces on the single-node bridge, policies computed by the controller's real
// computation and realized by the agent's real reconciler, reachability measured by each pod
// probing every other pod's address in parallel.
import type { KubeObject, Protocol } from '../../src/apis/index.js';
import type { PolicyEvent } from '../../src/agent/networkpolicy/controller.js';
import {
  MODEL_NAMESPACES,
  MODEL_PODS,
  modelNamespace,
  modelPod,
} from '../../src/conformance/model.js';
import type { Matrix, MatrixSource } from '../../src/conformance/runner.js';
import { NetworkPolicyController as ControlPlane } from '../../src/controller/networkpolicy/controller.js';
import type { ControlPlaneEvent } from '../../src/controller/networkpolicy/events.js';
import { SingleNode, type TestPod } from '../helpers/singlenode.js';

const NODE_NAME = 'node-1';

export class SingleNodeSource implements MatrixSource {
  private controlPlane = new ControlPlane();
  /** What the agent holds now, to clear it on reset: kind → name → policy uid (or name). */
  private readonly known = new Map<ControlPlaneEvent['kind'], Map<string, string>>([
    ['NetworkPolicy', new Map()],
    ['AddressGroup', new Map()],
    ['AppliedToGroup', new Map()],
  ]);
  private readonly pods: TestPod[] = [];
  /**
   * A change is enforced when apply() resolves (bundle committed, datapath cache purged); one
   * retry only covers a reachable probe that timed out on a machine under load.
   */
  readonly retries = 1;

  private constructor(readonly node: SingleNode) {}

  static async start(tag: string): Promise<SingleNodeSource> {
    const pods = MODEL_NAMESPACES.flatMap((namespace) =>
      MODEL_PODS.map((name) => ({ namespace, name })),
    );
    const node = await SingleNode.start({ tag, pods });
    const source = new SingleNodeSource(node);
    source.pods.push(...pods.map((p) => node.pod(p.name, p.namespace)));
    return source;
  }

  stop(): Promise<void> {
    return this.node.stop();
  }

  private ipOf(namespace: string, name: string): string {
    return this.node.pod(name, namespace).ip;
  }

  async reset(): Promise<ReadonlyMap<string, string>> {
    const clear: PolicyEvent[] = [];
    for (const uid of this.known.get('NetworkPolicy')!.values())
      clear.push({ kind: 'NetworkPolicy', type: 'delete', uid });
    for (const name of this.known.get('AddressGroup')!.keys())
      clear.push({ kind: 'AddressGroup', type: 'delete', name });
    for (const name of this.known.get('AppliedToGroup')!.keys())
      clear.push({ kind: 'AppliedToGroup', type: 'delete', name });
    await this.node.apply(clear);
    for (const m of this.known.values()) m.clear();
    this.controlPlane = new ControlPlane();
    for (const ns of MODEL_NAMESPACES) this.controlPlane.apply(modelNamespace(ns));
    for (const p of this.pods) {
      this.controlPlane.apply(modelPod(p.namespace, p.podName, { ip: p.ip, node: NODE_NAME }));
    }
    return new Map(this.pods.map((p) => [`${p.namespace}/${p.podName}`, p.ip]));
  }

  async apply(objects: readonly KubeObject[]): Promise<void> {
    await this.realize(objects.flatMap((o) => this.controlPlane.apply(o)));
  }

  async delete(objects: readonly KubeObject[]): Promise<void> {
    await this.realize(objects.flatMap((o) => this.controlPlane.delete(o)));
  }

  async setLabels(
    kind: 'Pod' | 'Namespace',
    namespace: string | undefined,
    name: string,
    labels: Record<string, string>,
  ): Promise<void> {
    const obj =
      kind === 'Namespace'
        ? modelNamespace(name, labels)
        : modelPod(namespace!, name, { ip: this.ipOf(namespace!, name), node: NODE_NAME, labels });
    await this.realize(this.controlPlane.apply(obj));
  }

  /** The agent gets the current version of every object the events name (all span this node). */
  private async realize(events: readonly ControlPlaneEvent[]): Promise<void> {
    const touched = new Map(events.map((e) => [`${e.kind}/${e.name}`, e]));
    const out: PolicyEvent[] = [];
    for (const { kind, name } of touched.values()) {
      const known = this.known.get(kind)!;
      if (kind === 'NetworkPolicy') {
        const object = this.controlPlane.getNetworkPolicy(name);
        if (object !== undefined) {
          known.set(name, object.metadata.uid);
          out.push({ kind, type: 'upsert', object });
        } else if (known.has(name)) {
          out.push({ kind, type: 'delete', uid: known.get(name)! });
          known.delete(name);
        }
        continue;
      }
      const upsert = this.groupUpsert(kind, name);
      if (upsert !== undefined) {
        known.set(name, name);
        out.push(upsert);
      } else if (known.delete(name)) {
        out.push({ kind, type: 'delete', name });
      }
    }
    if (out.length > 0) await this.node.apply(out);
  }

  private groupUpsert(
    kind: 'AddressGroup' | 'AppliedToGroup',
    name: string,
  ): PolicyEvent | undefined {
    if (kind === 'AddressGroup') {
      const object = this.controlPlane.getAddressGroup(name);
      return object && { kind, type: 'upsert', object };
    }
    const object = this.controlPlane.getAppliedToGroup(name);
    return object && { kind, type: 'upsert', object };
  }

  async probe(port: number, protocol: Protocol): Promise<Matrix> {
    const targets = this.pods.map((p) => p.ip);
    const rows = await Promise.all(
      this.pods.map((p) => this.node.probe(p, targets, port, protocol)),
    );
    const matrix: Matrix = {};
    this.pods.forEach((src, i) => {
      matrix[`${src.namespace}/${src.podName}`] = this.pods
        .filter((_, j) => rows[i][j])
        .map((dst) => `${dst.namespace}/${dst.podName}`);
    });
    return matrix;
  }
}
