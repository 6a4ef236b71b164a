// v1 Pod, the basic checks of kube's ValidatePodSpec: containers present, named by unique
// DNS-1123 labels, with an image and valid ports; restartPolicy, hostname and nodeSelector.
import type { Container, Pod } from '../core.js';
import { duplicate, invalid, notSupported, required, type FieldError } from './errors.js';
import { validateObjectMeta } from './meta.js';
import { isDNS1123Label, isValidPortName, isValidPortNum } from './names.js';
import { CORE_PORT_PROTOCOLS } from './ports.js';
import { validateLabels } from './selectors.js';

const RESTART_POLICIES: readonly string[] = ['Always', 'OnFailure', 'Never'];

function dns1123Label(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((m) => invalid(path, value, m));
}

function validateContainerPorts(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (c.ports ?? []).forEach((port, i) => {
    const p = `${path}[${i}]`;
    if (port.name) {
      const name = port.name;
      const msgs = isValidPortName(name);
      if (msgs.length > 0) errs.push(...msgs.map((m) => invalid(`${p}.name`, name, m)));
      else if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
      else names.add(name);
    }
    if (!port.containerPort) errs.push(required(`${p}.containerPort`));
    else
      errs.push(
        ...isValidPortNum(port.containerPort).map((m) =>
          invalid(`${p}.containerPort`, port.containerPort, m),
        ),
      );
    if (port.hostPort) {
      errs.push(
        ...isValidPortNum(port.hostPort).map((m) => invalid(`${p}.hostPort`, port.hostPort, m)),
      );
    }
    // Kube defaults an absent protocol to TCP before validating.
    const protocol = port.protocol ?? 'TCP';
    if (!CORE_PORT_PROTOCOLS.includes(protocol))
      errs.push(notSupported(`${p}.protocol`, protocol, CORE_PORT_PROTOCOLS));
  });
  return errs;
}

/** `names` holds the names seen so far: init containers must not reuse any container's name. */
function validateContainers(
  list: readonly Container[],
  path: string,
  names: Set<string>,
): FieldError[] {
  const errs: FieldError[] = [];
  list.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!c.name) errs.push(required(`${p}.name`));
    else {
      errs.push(...dns1123Label(c.name, `${p}.name`));
      if (names.has(c.name)) errs.push(duplicate(`${p}.name`, c.name));
      names.add(c.name);
    }
    if (!c.image) errs.push(required(`${p}.image`));
    errs.push(...validateContainerPorts(c, `${p}.ports`));
  });
  return errs;
}

export function validatePod(pod: Pod): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, { nameRule: 'DNS1123Subdomain', namespaced: true });
  const spec = pod.spec;
  const containers = spec?.containers ?? [];
  if (containers.length === 0) errs.push(required('spec.containers'));
  const names = new Set<string>();
  errs.push(...validateContainers(containers, 'spec.containers', names));
  errs.push(...validateContainers(spec?.initContainers ?? [], 'spec.initContainers', names));
  if (spec?.restartPolicy !== undefined && !RESTART_POLICIES.includes(spec.restartPolicy)) {
    errs.push(notSupported('spec.restartPolicy', spec.restartPolicy, RESTART_POLICIES));
  }
  if (spec?.hostname) errs.push(...dns1123Label(spec.hostname, 'spec.hostname'));
  if (spec?.subdomain) errs.push(...dns1123Label(spec.subdomain, 'spec.subdomain'));
  errs.push(...validateLabels(spec?.nodeSelector, 'spec.nodeSelector'));
  return errs;
}
