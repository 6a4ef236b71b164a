// Admission: the hook between a request and storage. Mutating plugins run first (in order),
// then validating ones; a plugin refuses by throwing an ApiError. The project's validation
// (src/apis/validation) is wired in here as one plugin; others (e.g. a Service ClusterIP
// allocator) can be passed to the server.
import type { KubeObject } from '../../apis/meta.js';
import {
  formatErrorList,
  toStatusCause,
  validateObject,
  type FieldError,
  type ValidationContext,
} from '../../apis/validation/index.js';
import { invalid } from './errors.js';
import { at, str, type JsonObject } from './json.js';
import type { ResourceDef } from './resources.js';

export type Operation = 'CREATE' | 'UPDATE';

export interface AdmissionRequest {
  readonly operation: Operation;
  readonly def: ResourceDef;
  /** The object to be stored; mutating plugins may change it in place. */
  readonly object: JsonObject;
  readonly oldObject?: KubeObject;
  readonly subresource?: string;
}

export interface AdmissionPlugin {
  readonly name: string;
  mutate?(req: AdmissionRequest): void;
  validate?(req: AdmissionRequest): void;
}

export function admit(plugins: readonly AdmissionPlugin[], req: AdmissionRequest): void {
  for (const p of plugins) p.mutate?.(req);
  for (const p of plugins) p.validate?.(req);
}

/** kube's NewInvalid: message `Kind.group "name" is invalid: …`, one cause per field error. */
export function invalidError(def: ResourceDef, name: string, errs: readonly FieldError[]): Error {
  const qualified = def.group ? `${def.kind}.${def.group}` : def.kind;
  return invalid(
    def.kind,
    def.group,
    name,
    `${qualified} "${name}" is invalid: ${formatErrorList(errs)}`,
    errs.map(toStatusCause),
  );
}

/** The validation of src/apis/validation; `context` tells it which Tiers exist. */
export function validationPlugin(context: ValidationContext): AdmissionPlugin {
  return {
    name: 'Validation',
    validate(req) {
      const errs = validateObject(req.object as unknown as KubeObject, context);
      if (errs.length > 0)
        throw invalidError(req.def, str(at(req.object, 'metadata', 'name')), errs);
    },
  };
}
