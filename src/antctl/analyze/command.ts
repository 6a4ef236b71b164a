// `antctl analyze`: offline reachability of manifests (nothing running needed).
import { Command, Option } from 'commander';
import type { KubeObject, Pod, Protocol } from '../../apis/index.js';
import { PROTOCOLS } from '../../apis/index.js';
import { validateManifests } from './validate.js';
import { formatExplain, formatJson, formatTable } from './format.js';
import { loadManifests } from './manifests.js';
import { ReachabilityModel, type Probe } from './reachability.js';
import { UsageError } from '../errors.js';

export function parseProbe(text: string): Probe {
  const m = /^(\d+)\/([A-Za-z]+)$/.exec(text);
  const port = m ? Number(m[1]) : NaN;
  const protocol = m?.[2]!.toUpperCase() as Protocol;
  if (!m || port < 1 || port > 65535 || !PROTOCOLS.includes(protocol)) {
    throw new UsageError(
      `invalid probe "${text}": want PORT/PROTO, e.g. 80/TCP (port 1-65535, TCP, UDP or SCTP)`,
    );
  }
  return { port, protocol };
}

/** Pods without an address get one of a reserved range, so every pod is in the matrix. */
function withAddresses(objects: readonly KubeObject[]): KubeObject[] {
  let n = 0;
  return objects.map((o) => {
    if (o.kind !== 'Pod' || (o as Pod).status?.podIP) return o;
    n++;
    const ip = `100.64.${Math.floor(n / 250)}.${(n % 250) + 1}`;
    return { ...o, status: { ...(o as Pod).status, podIP: ip, podIPs: [{ ip }] } } as Pod;
  });
}

/** Without --probe: every declared container port, or 80/TCP when none is declared. */
function defaultProbes(objects: readonly KubeObject[]): Probe[] {
  const seen = new Map<string, Probe>();
  for (const o of objects) {
    if (o.kind !== 'Pod') continue;
    for (const c of (o as Pod).spec?.containers ?? []) {
      for (const p of c.ports ?? []) {
        const probe = { port: p.containerPort, protocol: p.protocol ?? 'TCP' };
        seen.set(`${probe.port}/${probe.protocol}`, probe);
      }
    }
  }
  const probes = [...seen.values()].sort(
    (a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol),
  );
  return probes.length > 0 ? probes : [{ port: 80, protocol: 'TCP' }];
}

export function analyzeCommand(): Command {
  return new Command('analyze')
    .description(
      'Compute the reachability matrix of manifests offline, with the controller’s policy semantics',
    )
    .requiredOption(
      '-f, --filename <path>',
      'manifest file or folder (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option(
      '--probe <port/proto>',
      'a probe such as 80/TCP (repeatable)',
      (v: string, prev: Probe[]) => [...prev, parseProbe(v)],
      [] as Probe[],
    )
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['table', 'json'])
        .default('table'),
    )
    .option(
      '--explain <src dst port/proto...>',
      'explain one connection: SRC DST PORT/PROTO (pods as ns/name)',
    )
    .action(
      (opts: {
        filename: string[];
        probe: Probe[];
        output: 'table' | 'json';
        explain?: string[];
      }) => {
        const objects = withAddresses(loadManifests(opts.filename));
        validateManifests(objects);
        const model = new ReachabilityModel(objects);
        if (opts.explain) {
          if (opts.explain.length !== 3) throw new UsageError('--explain takes SRC DST PORT/PROTO');
          const [src, dst, p] = opts.explain as [string, string, string];
          const probe = parseProbe(p);
          process.stdout.write(formatExplain(src, dst, p, model.explain(src, dst, probe)) + '\n');
          return;
        }
        const probes = opts.probe.length > 0 ? opts.probe : defaultProbes(objects);
        const results = model.matrix(probes);
        process.stdout.write(
          (opts.output === 'json' ? formatJson(results) : formatTable(results)) + '\n',
        );
      },
    );
}
