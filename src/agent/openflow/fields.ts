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
/** reg1: the output ofport; ingress rules match the destination pod on it. */
export const TargetOFPort = field(1, 0, 31);
/** reg5: conj_id of the egress rule that decided the packet (for traces). */
export const EgressConjID = field(5, 0, 31);
/** reg6: conj_id of the ingress rule that decided the packet, as in the seed's table 90. */
export const IngressConjID = field(6, 0, 31);

function width(f: RegField): number {
  return f.end - f.start + 1;
}

function nxmName(f: RegField): string {
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

/** `output:NXM_NX_REG1[]`: output to the port number held in the field. */
export function outputTo(f: RegField): string {
  return `output:${nxmName(f)}`;
}
