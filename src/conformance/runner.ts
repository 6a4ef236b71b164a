// Runs a conformance case against any way of obtaining a reachability matrix: offline through
// the controller's computation, or on real traffic (a single-node bridge, the local cluster).
import type { KubeObject, Protocol } from '../apis/index.js';
import type { ConformanceCase } from './cases.js';
import { modelPodKeys } from './model.js';

export type Matrix = Record<string, string[]>;

export interface MatrixSource {
  /** Back to the pristine model (no policies, groups or custom tiers; model labels); pod IPs by `ns/name`. */
  reset(): Promise<ReadonlyMap<string, string>>;
  /** Adds or updates objects, in order. */
  apply(objects: readonly KubeObject[]): Promise<void>;
  delete(objects: readonly KubeObject[]): Promise<void>;
  /** A model pod's or namespace's labels become exactly these (metadata.name label kept). */
  setLabels(
    kind: 'Pod' | 'Namespace',
    namespace: string | undefined,
    name: string,
    labels: Record<string, string>,
  ): Promise<void>;
  /** Probes every ordered pod pair once. */
  probe(port: number, protocol: Protocol): Promise<Matrix>;
  /**
   * Real traffic needs time until a change is enforced: a mismatching matrix is probed again
   * up to this many times, a second apart, as the upstream suites do. Offline: 0.
   */
  readonly retries: number;
}

export interface StepMismatch {
  readonly step: number;
  readonly port: number;
  readonly protocol: Protocol;
  /** `src → dst: expected reachable, got blocked` lines. */
  readonly differences: readonly string[];
}

/** Replaces `{{podIP ns/name}}` placeholders anywhere in the objects. */
export function substitute(
  objects: readonly KubeObject[],
  ips: ReadonlyMap<string, string>,
): KubeObject[] {
  const text = JSON.stringify(objects).replace(
    /\{\{\s*podIP\s+([^}\s]+)\s*\}\}/g,
    (_, key: string) => {
      const ip = ips.get(key);
      if (!ip) throw new Error(`placeholder names unknown pod ${key}`);
      return ip;
    },
  );
  return JSON.parse(text) as KubeObject[];
}

/** A Pod or Namespace entry with nothing but metadata is a label update of the model. */
function isLabelUpdate(o: KubeObject): boolean {
  return (
    (o.kind === 'Pod' || o.kind === 'Namespace') &&
    Object.keys(o).every((k) => ['apiVersion', 'kind', 'metadata'].includes(k))
  );
}

export function compareMatrix(
  expected: Readonly<Record<string, readonly string[]>>,
  got: Matrix,
  gradeSelf: boolean,
): string[] {
  const keys = modelPodKeys();
  const diffs: string[] = [];
  for (const s of keys) {
    for (const d of keys) {
      if (s === d && !gradeSelf) continue;
      const want = (expected[s] ?? []).includes(d);
      const have = (got[s] ?? []).includes(d);
      if (want !== have)
        diffs.push(
          `${s} → ${d}: expected ${want ? 'reachable' : 'blocked'}, got ${have ? 'reachable' : 'blocked'}`,
        );
    }
  }
  return diffs;
}

export async function runCase(c: ConformanceCase, source: MatrixSource): Promise<StepMismatch[]> {
  const ips = await source.reset();
  const mismatches: StepMismatch[] = [];
  for (const [i, step] of c.steps.entries()) {
    const objects = substitute(step.apply, ips);
    const policies: KubeObject[] = [];
    for (const o of objects) {
      if (isLabelUpdate(o)) {
        await source.setLabels(
          o.kind as 'Pod' | 'Namespace',
          o.metadata.namespace,
          o.metadata.name ?? '',
          { ...o.metadata.labels },
        );
      } else {
        policies.push(o);
      }
    }
    if (policies.length > 0) await source.apply(policies);
    if (step.delete.length > 0) await source.delete(step.delete);
    for (const p of step.probes) {
      let differences: string[] = [];
      for (let attempt = 0; attempt <= source.retries; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 1000));
        differences = compareMatrix(
          p.reachable,
          await source.probe(p.port, p.protocol),
          c.gradeSelf,
        );
        if (differences.length === 0) break;
      }
      if (differences.length > 0)
        mismatches.push({ step: i, port: p.port, protocol: p.protocol, differences });
    }
  }
  return mismatches;
}
