// The shared conformance case format (../shared/conformance/README.md): loading and typing.
// Cases are read from folders, never known by name.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject, Protocol } from '../apis/index.js';

export interface CaseProbe {
  readonly port: number;
  readonly protocol: Protocol;
  readonly reachable: Readonly<Record<string, readonly string[]>>;
}

export interface CaseStep {
  readonly apply: readonly KubeObject[];
  readonly delete: readonly KubeObject[];
  readonly probes: readonly CaseProbe[];
}

export interface ConformanceCase {
  readonly name: string;
  readonly file: string;
  /** Kubernetes' suite ignores a pod probing itself; Antrea's grades it. */
  readonly gradeSelf: boolean;
  readonly steps: readonly CaseStep[];
}

interface RawStep {
  apply?: KubeObject[];
  delete?: { apiVersion?: string; kind: string; namespace?: string; name: string }[];
  probes?: CaseProbe[];
}

export function parseCase(text: string, file: string): ConformanceCase {
  const raw = parse(text) as { name?: string; steps?: RawStep[] };
  const suite = basename(dirname(file));
  return {
    name: raw.name ?? basename(file),
    file,
    gradeSelf: suite !== 'kubernetes',
    steps: (raw.steps ?? []).map((s) => ({
      apply: s.apply ?? [],
      delete: (s.delete ?? []).map((d) => ({
        ...(d.apiVersion ? { apiVersion: d.apiVersion } : {}),
        kind: d.kind,
        metadata: { name: d.name, ...(d.namespace ? { namespace: d.namespace } : {}) },
      })),
      probes: s.probes ?? [],
    })),
  };
}

/** Every case file under the given folders (recursively), in a stable order. */
export function loadCases(dirs: readonly string[]): ConformanceCase[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const full = join(d, f);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(f) && f !== 'README.md') files.push(full);
    }
  };
  for (const d of dirs) walk(d);
  return files.map((f) => parseCase(readFileSync(f, 'utf8'), f));
}
