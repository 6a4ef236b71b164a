// The reachability matrix of a set of objects: every ordered pod pair, per probe, decided by the
// controller's computation and the reference evaluation over its controlplane objects.
import type { KubeObject, Pod, Protocol } from '../../apis/index.js';
import { NetworkPolicyController } from '../../controller/networkpolicy/controller.js';
import {
  PolicyEvaluator,
  type Endpoint,
  type Verdict,
} from '../../controller/networkpolicy/evaluate.js';

export interface Probe {
  readonly port: number;
  readonly protocol: Protocol;
}

/** Source pod `ns/name` → the destinations it reaches, sorted. */
export type Reachable = Record<string, string[]>;

export interface ProbeResult extends Probe {
  readonly reachable: Reachable;
}

export class ReachabilityModel {
  private readonly controller = new NetworkPolicyController();
  private readonly pods = new Map<string, Endpoint>();

  /** Objects in order; later ones with the same identity update earlier ones. */
  constructor(objects: readonly KubeObject[]) {
    for (const o of objects) this.apply(o);
  }

  apply(o: KubeObject): void {
    if (o.kind === 'Pod') {
      const p = o as Pod;
      const ns = p.metadata.namespace ?? 'default';
      const name = p.metadata.name ?? '';
      const ip = p.status?.podIP;
      if (ip) this.pods.set(`${ns}/${name}`, { pod: { namespace: ns, name }, ip });
    }
    this.controller.apply(o);
  }

  delete(o: KubeObject): void {
    if (o.kind === 'Pod')
      this.pods.delete(`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`);
    this.controller.delete(o);
  }

  podKeys(): string[] {
    return [...this.pods.keys()].sort();
  }

  evaluator(): PolicyEvaluator {
    return new PolicyEvaluator(this.controller.snapshot());
  }

  explain(src: string, dst: string, probe: Probe): Verdict {
    const s = this.endpoint(src);
    const d = this.endpoint(dst);
    return this.evaluator().evaluate({ src: s, dst: d, ...probe });
  }

  private endpoint(key: string): Endpoint {
    const e = this.pods.get(key);
    if (!e) throw new Error(`pod ${key} not found (or it has no IP)`);
    return e;
  }

  matrix(probes: readonly Probe[]): ProbeResult[] {
    const ev = this.evaluator();
    const keys = this.podKeys();
    return probes.map((probe) => {
      const reachable: Reachable = {};
      for (const s of keys) {
        reachable[s] = keys.filter(
          (d) => ev.evaluate({ src: this.pods.get(s)!, dst: this.pods.get(d)!, ...probe }).allowed,
        );
      }
      return { port: probe.port, protocol: probe.protocol, reachable };
    });
  }
}
