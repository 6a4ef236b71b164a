// The conformance model: namespaces x, y, z and pods a, b, c in each, serving TCP and UDP on
// ports 80 and 81 under the names serve-<port>-<proto>.
import type { Namespace, Pod } from '../apis/index.js';

export const MODEL_NAMESPACES = ['x', 'y', 'z'] as const;
export const MODEL_PODS = ['a', 'b', 'c'] as const;
export const MODEL_PORTS = [80, 81] as const;

export function modelNamespace(name: string, labels?: Record<string, string>): Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: { ...(labels ?? { ns: name }), 'kubernetes.io/metadata.name': name },
    },
  };
}

export function modelPod(
  namespace: string,
  name: string,
  opts: { ip?: string; node?: string; labels?: Record<string, string> } = {},
): Pod {
  const ports = MODEL_PORTS.flatMap((port) =>
    (['TCP', 'UDP'] as const).map((protocol) => ({
      name: `serve-${port}-${protocol.toLowerCase()}`,
      containerPort: port,
      protocol,
    })),
  );
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: opts.labels ?? { pod: name } },
    spec: {
      ...(opts.node ? { nodeName: opts.node } : {}),
      containers: [{ name: 'server', image: 'agnhost', ports }],
    },
    ...(opts.ip ? { status: { phase: 'Running', podIP: opts.ip, podIPs: [{ ip: opts.ip }] } } : {}),
  };
}

export function modelPodKeys(): string[] {
  return MODEL_NAMESPACES.flatMap((ns) => MODEL_PODS.map((p) => `${ns}/${p}`));
}
