// A pod made from a workload's template, as kube's controllers make it: the template's labels
// and annotations, the controller's ownerReference (so the garbage collector removes the pod
// with its owner), and the template's spec.
import type { V1Pod } from '@kubernetes/client-node';
import type { PodTemplateSpec } from '../../apis/apps.js';
import type { OwnerReference } from '../../apis/meta.js';

export interface PodIdentity {
  readonly namespace: string;
  /** Exactly this name (StatefulSet ordinals)… */
  readonly name?: string;
  /** …or this prefix and five random characters chosen by the API server (ReplicaSets). */
  readonly generateName?: string;
  readonly extraLabels?: Readonly<Record<string, string>>;
  readonly owner: OwnerReference;
}

export function podFromTemplate(template: PodTemplateSpec | undefined, id: PodIdentity): V1Pod {
  const meta = template?.metadata ?? {};
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(id.name !== undefined ? { name: id.name } : {}),
      ...(id.generateName !== undefined ? { generateName: id.generateName } : {}),
      namespace: id.namespace,
      labels: { ...(meta.labels ?? {}), ...(id.extraLabels ?? {}) },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ownerReferences: [id.owner],
    },
    spec: template?.spec ?? { containers: [] },
  };
  // The template is the API's own JSON; the typed client serializes it field by field.
  return pod as unknown as V1Pod;
}
