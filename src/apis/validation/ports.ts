// A policy port (kube's ValidateNetworkPolicyPort): protocol, a port number or IANA service
// name, and an endPort only after a numeric port. Antrea-native rules use the same rules.
import type { IntOrString } from '../meta.js';
import { PROTOCOLS } from '../meta.js';
import { invalid, notSupported, type FieldError } from './errors.js';
import { isValidPortName, isValidPortNum } from './names.js';

/** Pods and Services list the protocols sorted (kube's sets.List), policies in API order. */
export const CORE_PORT_PROTOCOLS: readonly string[] = [...PROTOCOLS].sort();

export interface PolicyPortLike {
  readonly protocol?: string;
  readonly port?: IntOrString;
  readonly endPort?: number;
}

export function validatePolicyPort(port: PolicyPortLike, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (port.protocol !== undefined && !(PROTOCOLS as readonly string[]).includes(port.protocol)) {
    errs.push(notSupported(`${path}.protocol`, port.protocol, PROTOCOLS));
  }
  const endPort = port.endPort;
  if (typeof port.port === 'number') {
    errs.push(...isValidPortNum(port.port).map((m) => invalid(`${path}.port`, port.port, m)));
    if (endPort !== undefined) {
      if (endPort < port.port) {
        errs.push(invalid(`${path}.endPort`, endPort, 'must be greater than or equal to `port`'));
      }
      errs.push(...isValidPortNum(endPort).map((m) => invalid(`${path}.endPort`, endPort, m)));
    }
  } else if (typeof port.port === 'string') {
    if (endPort !== undefined) {
      errs.push(
        invalid(`${path}.endPort`, endPort, 'may not be specified when `port` is non-numeric'),
      );
    }
    const name = port.port;
    errs.push(...isValidPortName(name).map((m) => invalid(`${path}.port`, name, m)));
  } else if (endPort !== undefined) {
    errs.push(
      invalid(`${path}.endPort`, endPort, 'may not be specified when `port` is not specified'),
    );
  }
  return errs;
}
