// The scheduler's decision, as a pure function: the nodes a pod may run on (Ready, schedulable,
// matching its nodeSelector, every NoSchedule/NoExecute taint tolerated), and among them the
// one with the fewest pods. When none fits, the reason per node, counted as kube prints it.
import type { Node, Pod, Taint, Toleration } from '../../apis/core.js';

function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function tolerates(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some(
    (t) =>
      (t.effect === undefined || t.effect === taint.effect) &&
      (t.key === undefined || t.key === '' ? t.operator === 'Exists' : t.key === taint.key) &&
      (t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '')),
  );
}

/** Why `pod` cannot run on `node`, or undefined when it can. */
function unfitReason(pod: Pod, node: Node): string | undefined {
  if (!isNodeReady(node)) return "node(s) weren't ready";
  if (node.spec?.unschedulable) return 'node(s) were unschedulable';
  const labels = node.metadata.labels ?? {};
  if (Object.entries(pod.spec?.nodeSelector ?? {}).some(([k, v]) => labels[k] !== v)) {
    return "node(s) didn't match Pod's node affinity/selector";
  }
  const taint = (node.spec?.taints ?? []).find(
    (t) => t.effect !== 'PreferNoSchedule' && !tolerates(pod.spec?.tolerations ?? [], t),
  );
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  return undefined;
}

export type Placement =
  { readonly node: string } | { readonly node?: undefined; readonly message: string };

/** The fitting node with the fewest pods (ties: by name), or kube's "0/N nodes are available" text. */
export function placePod(
  pod: Pod,
  nodes: readonly Node[],
  podCount: (node: string) => number,
): Placement {
  const reasons = new Map<string, number>();
  let best: { name: string; count: number } | undefined;
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    const reason = unfitReason(pod, node);
    if (reason) {
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      continue;
    }
    const count = podCount(name);
    if (!best || count < best.count || (count === best.count && name < best.name))
      best = { name, count };
  }
  if (best) return { node: best.name };
  const detail = [...reasons]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  return { message: `0/${nodes.length} nodes are available${detail ? `: ${detail}` : ''}.` };
}
