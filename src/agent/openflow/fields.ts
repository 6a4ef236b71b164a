// Every register bit range the pipeline uses, by name (like Antrea's fields.go), and the only
// code that turns a field into OVS syntax. A builder writes `load(PortType, PortTypeValue.Pod)`,
// never `NXM_NX_REG0[0..15]`.
import type { MatchField } from '../../ovs/flow.js';

export interface RegField {
  readonly reg: number;
  /** First and last bit, inclusive. */
  readonly start: number;
  readonly end: number;
}

const field = (reg: number, start: number, end: number): RegField => ({ reg, start, end });

/** reg0[0..15]: where the packet entered (Classification sets it). */
export const PortType = field(0, 0, 15);
export const PortTypeValue = { Tunnel: 0, Gateway: 1, Pod: 2 } as const;
/** reg0[16]: L2Forwarding (or L3Forwarding to a tunnel) found the output port. */
export const OutputPortFound = field(0, 16, 16);
/** reg0[18]: a hairpin reply (a pod reached itself through a Service): out of its in_port. */
export const HairpinMark = field(0, 18, 18);
/** reg1: the output ofport; ingress rules match the destination pod on it. */
export const TargetOFPort = field(1, 0, 31);
/** reg3: the Service endpoint's IP that ServiceLB (or session affinity) chose. */
export const EndpointIP = field(3, 0, 31);
/** reg4[0..15]: that endpoint's port. */
export const EndpointPort = field(4, 0, 15);
/** reg4[16..18]: where the packet is in the Service tables (like Antrea's reg4[16..18]). */
export const ServiceState = field(4, 16, 18);
export const ServiceStateValue = {
  /** Table 40 found no affinity: ServiceLB picks an endpoint. */
  NeedLB: 1,
  /** An endpoint is in reg3/reg4: EndpointDNAT translates to it. */
  Selected: 2,
  /** The group picked an endpoint that the ServiceLB table must remember (ClientIP affinity). */
  NeedLearn: 3,
} as const;
/** reg5: conj_id of the egress rule that decided the packet (for traces). */
export const EgressConjID = field(5, 0, 31);
/** reg6: conj_id of the ingress rule that decided the packet, as in the seed's table 90. */
export const IngressConjID = field(6, 0, 31);

function width(f: RegField): number {
  return f.end - f.start + 1;
}

/** `NXM_NX_REG4[0..15]`: the field in OVS's NXM syntax (e.g. inside a learn action). */
export function nxmName(f: RegField): string {
  const whole = f.start === 0 && f.end === 31;
  const range = whole ? '' : f.start === f.end ? `${f.start}` : `${f.start}..${f.end}`;
  return `NXM_NX_REG${f.reg}[${range}]`;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** `load:0x3->NXM_NX_REG1[]`, `load:0x1->NXM_NX_REG0[16]`, `load:0x2->NXM_NX_REG0[0..15]`. */
export function load(f: RegField, value: number): string {
  if (value < 0 || value >= 2 ** width(f)) {
    throw new Error(`value ${value} does not fit reg${f.reg}[${f.start}..${f.end}]`);
  }
  return `load:${hex(value)}->${nxmName(f)}`;
}

/** `reg1=0x3`, or value/mask for part of a register (`reg0=0x10000/0x10000`), as OVS prints. */
export function match(f: RegField, value: number): MatchField {
  if (width(f) === 32) return { name: `reg${f.reg}`, value: hex(value) };
  const mask = (2 ** width(f) - 1) * 2 ** f.start;
  return { name: `reg${f.reg}`, value: `${hex(value * 2 ** f.start)}/${hex(mask)}` };
}

/** One match on several fields of the same register: `reg4=0x20050/0x7ffff`. */
export function matchAll(...fields: readonly (readonly [RegField, number])[]): MatchField {
  const reg = fields[0][0].reg;
  let value = 0;
  let mask = 0;
  for (const [f, v] of fields) {
    if (f.reg !== reg) throw new Error(`matchAll: reg${f.reg} and reg${reg} in one match`);
    value += v * 2 ** f.start;
    mask += (2 ** width(f) - 1) * 2 ** f.start;
  }
  return {
    name: `reg${reg}`,
    value: mask === 2 ** 32 - 1 ? hex(value) : `${hex(value)}/${hex(mask)}`,
  };
}

/** `output:NXM_NX_REG1[]`: output to the port number held in the field. */
export function outputTo(f: RegField): string {
  return `output:${nxmName(f)}`;
}
