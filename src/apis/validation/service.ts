// v1 Service, the basic checks of kube's ValidateService: ports (number, protocol, unique DNS
// label names, targetPort), the type, the selector's labels, no nodePort on a ClusterIP.
import type { Service, ServicePort } from '../core.js';
import {
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
  type FieldError,
} from './errors.js';
import { validateObjectMeta } from './meta.js';
import { isDNS1123Label, isValidPortName, isValidPortNum } from './names.js';
import { CORE_PORT_PROTOCOLS } from './ports.js';
import { validateLabels } from './selectors.js';

const SERVICE_TYPES: readonly string[] = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function validateServicePort(
  sp: ServicePort,
  path: string,
  requireName: boolean,
  names: Set<string>,
): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !sp.name) errs.push(required(`${path}.name`));
  else if (sp.name) {
    const name = sp.name;
    errs.push(...isDNS1123Label(name).map((m) => invalid(`${path}.name`, name, m)));
    if (names.has(name)) errs.push(duplicate(`${path}.name`, name));
    else names.add(name);
  }
  errs.push(...isValidPortNum(sp.port).map((m) => invalid(`${path}.port`, sp.port, m)));
  // Kube defaults protocol to TCP and targetPort to port before validating.
  const protocol = sp.protocol ?? 'TCP';
  if (!CORE_PORT_PROTOCOLS.includes(protocol))
    errs.push(notSupported(`${path}.protocol`, protocol, CORE_PORT_PROTOCOLS));
  const target = sp.targetPort ?? sp.port;
  const targetMsgs = typeof target === 'string' ? isValidPortName(target) : isValidPortNum(target);
  errs.push(...targetMsgs.map((m) => invalid(`${path}.targetPort`, target, m)));
  return errs;
}

export function validateService(svc: Service): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, { nameRule: 'DNS1035Label', namespaced: true });
  const spec = svc.spec ?? {};
  const type: string = spec.type ?? 'ClusterIP';
  const ports = spec.ports ?? [];
  if (ports.length === 0 && spec.clusterIP !== 'None' && type !== 'ExternalName') {
    errs.push(required('spec.ports'));
  }
  const names = new Set<string>();
  ports.forEach((sp, i) =>
    errs.push(...validateServicePort(sp, `spec.ports[${i}]`, ports.length > 1, names)),
  );
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (!SERVICE_TYPES.includes(type)) errs.push(notSupported('spec.type', type, SERVICE_TYPES));
  if (type === 'ClusterIP') {
    ports.forEach((sp, i) => {
      if (sp.nodePort) {
        errs.push(
          forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"),
        );
      }
    });
  }
  return errs;
}
