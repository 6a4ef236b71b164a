// v1 Namespace: cluster-scoped, named by a DNS-1123 label (it becomes part of DNS names).
import type { Namespace } from '../core.js';
import type { FieldError } from './errors.js';
import { validateObjectMeta } from './meta.js';

export function validateNamespace(ns: Namespace): FieldError[] {
  return validateObjectMeta(ns.metadata, { nameRule: 'DNS1123Label', namespaced: false });
}
