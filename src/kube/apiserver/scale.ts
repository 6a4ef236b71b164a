// The `scale` subresource of Deployments, ReplicaSets and StatefulSets: an autoscaling/v1
// Scale view of spec.replicas, read and written through the owning object (`kubectl scale`).
import type { KubeObject, LabelSelector } from '../../apis/meta.js';
import { invalid as fieldInvalid } from '../../apis/validation/errors.js';
import { formatErrorList, toStatusCause } from '../../apis/validation/index.js';
import { conflict, invalid, STALE_OBJECT } from './errors.js';
import { at, clone, isObject, num, type JsonObject } from './json.js';
import { jsonPatch } from './patch/jsonPatch.js';
import { mergePatch } from './patch/mergePatch.js';
import type { PatchType, Registry } from './registry.js';
import type { ResourceDef } from './resources.js';
import { labelSelectorString } from './selectors.js';

export function toScale(o: KubeObject): object {
  const m = o.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: num(at(o, 'spec', 'replicas')) },
    status: {
      replicas: num(at(o, 'status', 'replicas')),
      selector: labelSelectorString(at(o, 'spec', 'selector') as LabelSelector | undefined),
    },
  };
}

function withReplicas(def: ResourceDef, o: KubeObject, scale: unknown): JsonObject {
  const replicas = at(scale, 'spec', 'replicas');
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    const name = o.metadata.name ?? '';
    const errs = [fieldInvalid('spec.replicas', replicas, 'must be greater than or equal to 0')];
    const message = `Scale.autoscaling "${name}" is invalid: ${formatErrorList(errs)}`;
    throw invalid('Scale', 'autoscaling', name, message, errs.map(toStatusCause));
  }
  const rv = at(scale, 'metadata', 'resourceVersion');
  if (typeof rv === 'string' && rv !== '' && rv !== o.metadata.resourceVersion) {
    throw conflict(def, o.metadata.name ?? '', STALE_OBJECT);
  }
  const next = clone(o as unknown as JsonObject);
  next.spec = { ...(isObject(next.spec) ? next.spec : {}), replicas };
  return next;
}

export function updateScale(
  registry: Registry,
  def: ResourceDef,
  ns: string,
  name: string,
  body: unknown,
): object {
  const current = registry.get(def, ns, name);
  return toScale(registry.update(def, ns, name, withReplicas(def, current, body)));
}

export function patchScale(
  registry: Registry,
  def: ResourceDef,
  ns: string,
  name: string,
  type: PatchType,
  patch: unknown,
): object {
  const current = registry.get(def, ns, name);
  const scale = toScale(current);
  const patched = type === 'json' ? jsonPatch(scale, patch) : mergePatch(scale, patch);
  return toScale(registry.update(def, ns, name, withReplicas(def, current, patched)));
}
