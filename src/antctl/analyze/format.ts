// Output forms of `antctl analyze`: the exact JSON of the contract, a Cyclonus-like grid, and the
// deciding rules of one connection.
import type { Verdict, DirectionVerdict } from '../../controller/networkpolicy/evaluate.js';
import type { ProbeResult } from './reachability.js';

export function formatJson(results: readonly ProbeResult[]): string {
  return JSON.stringify({
    probes: results.map((r) => ({ port: r.port, protocol: r.protocol, reachable: r.reachable })),
  });
}

/** Rows are sources, columns destinations: `.` reachable, `X` blocked. */
export function formatTable(results: readonly ProbeResult[]): string {
  return results
    .map((r) => {
      const keys = Object.keys(r.reachable);
      const w = Math.max(3, ...keys.map((k) => k.length));
      const cell = (s: string) => ` ${s.padEnd(w)} `;
      const sep = `+${Array(keys.length + 1)
        .fill('-'.repeat(w + 2))
        .join('+')}+`;
      const lines = [
        `${r.port}/${r.protocol}`,
        sep,
        `|${[cell('')].concat(keys.map(cell)).join('|')}|`,
        sep,
      ];
      for (const s of keys) {
        const row = keys.map((d) => cell(r.reachable[s]!.includes(d) ? '.' : 'X'));
        lines.push(`|${[cell(s)].concat(row).join('|')}|`);
      }
      lines.push(sep);
      return lines.join('\n');
    })
    .join('\n\n');
}

function describeDirection(name: string, v: DirectionVerdict): string[] {
  if (v.decidedBy.length === 0) return [`  ${name}: allowed (no policy applies)`];
  const lines = [`  ${name}: ${v.allowed ? 'allowed' : 'denied'}`];
  for (const d of v.decidedBy) {
    const ns = d.policy.namespace ? `${d.policy.namespace}/` : '';
    const where =
      d.action === 'Isolate'
        ? 'isolates the pod and no rule of it allows'
        : `rule ${d.ruleName ?? d.rule} (${d.direction === 'In' ? 'ingress' : 'egress'})`;
    const tier =
      d.tierPriority !== undefined ? ` tier-priority=${d.tierPriority} priority=${d.priority}` : '';
    lines.push(`    ${d.action.padEnd(7)} ${d.policy.type} ${ns}${d.policy.name}: ${where}${tier}`);
  }
  return lines;
}

export function formatExplain(src: string, dst: string, probe: string, v: Verdict): string {
  return [
    `${src} -> ${dst} ${probe}: ${v.allowed ? 'ALLOWED' : 'DENIED'}`,
    ...describeDirection(`egress of ${src}`, v.egress),
    ...describeDirection(`ingress of ${dst}`, v.ingress),
  ].join('\n');
}
