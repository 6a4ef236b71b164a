// The pipeline's tables, numbered and named as in the seed (Antrea's pipeline of that time), and
// the flow priorities Antrea uses inside them. `FLOW_TABLES` is what `antctl get ovsflows -h`
// lists and what `-T NAME` resolves; the constants are what the builders write.

export const Table = {
  Classification: 0,
  SpoofGuard: 10,
  ARPResponder: 20,
  ConntrackZone: 30,
  ConntrackState: 31,
  SessionAffinity: 40,
  ServiceLB: 41,
  EndpointDNAT: 42,
  CNPEmergencyEgressRule: 45,
  CNPSecurityOpsEgressRule: 46,
  CNPNetworkOpsEgressRule: 47,
  CNPPlatformEgressRule: 48,
  CNPApplicationEgressRule: 49,
  EgressRule: 50,
  EgressDefaultRule: 60,
  L3Forwarding: 70,
  L2Forwarding: 80,
  CNPEmergencyIngressRule: 85,
  CNPSecurityOpsIngressRule: 86,
  CNPNetworkOpsIngressRule: 87,
  CNPPlatformIngressRule: 88,
  CNPApplicationIngressRule: 89,
  IngressRule: 90,
  IngressDefaultRule: 100,
  ConntrackCommit: 105,
  HairpinSNAT: 106,
  Output: 110,
} as const;

export interface FlowTable {
  readonly number: number;
  readonly name: string;
}

/** The list exactly as the seed's `antctl get ovsflows -h` prints it (40 appears twice there). */
export const FLOW_TABLES: readonly FlowTable[] = [
  { number: 0, name: 'Classification' },
  { number: 5, name: 'Uplink' },
  { number: 10, name: 'SpoofGuard' },
  { number: 20, name: 'ARPResponder' },
  { number: 29, name: 'ServiceHairpin' },
  { number: 30, name: 'ConntrackZone' },
  { number: 31, name: 'ConntrackState' },
  { number: 40, name: 'DNAT(SessionAffinity)' },
  { number: 40, name: 'SessionAffinity' },
  { number: 41, name: 'ServiceLB' },
  { number: 42, name: 'EndpointDNAT' },
  { number: 45, name: 'CNPEmergencyEgressRule' },
  { number: 46, name: 'CNPSecurityOpsEgressRule' },
  { number: 47, name: 'CNPNetworkOpsEgressRule' },
  { number: 48, name: 'CNPPlatformEgressRule' },
  { number: 49, name: 'CNPApplicationEgressRule' },
  { number: 50, name: 'EgressRule' },
  { number: 60, name: 'EgressDefaultRule' },
  { number: 70, name: 'l3Forwarding' },
  { number: 80, name: 'L2Forwarding' },
  { number: 85, name: 'CNPEmergencyIngressRule' },
  { number: 86, name: 'CNPSecurityOpsIngressRule' },
  { number: 87, name: 'CNPNetworkOpsIngressRule' },
  { number: 88, name: 'CNPPlatformIngressRule' },
  { number: 89, name: 'CNPApplicationIngressRule' },
  { number: 90, name: 'IngressRule' },
  { number: 100, name: 'IngressDefaultRule' },
  { number: 105, name: 'ConntrackCommit' },
  { number: 106, name: 'HairpinSNATTable' },
  { number: 110, name: 'Output' },
];

/** `-T` accepts a number or a name, case-insensitively (`ingressRule`, `90`). */
export function resolveTable(nameOrNumber: string): number | undefined {
  if (/^\d+$/.test(nameOrNumber)) {
    const n = Number(nameOrNumber);
    return FLOW_TABLES.some((t) => t.number === n) ? n : undefined;
  }
  const wanted = nameOrNumber.toLowerCase();
  return FLOW_TABLES.find((t) => t.name.toLowerCase() === wanted)?.number;
}

/** Antrea's priority levels (priorityHigh/Normal/Low/Miss in its openflow package). */
export const Priority = {
  High: 210,
  Normal: 200,
  Low: 190,
  Miss: 0,
} as const;

/** First egress policy table: the Antrea-native tiers when they run, else K8s NetworkPolicy. */
export function egressEntryTable(antreaPolicy: boolean): number {
  return antreaPolicy ? Table.CNPEmergencyEgressRule : Table.EgressRule;
}

/** First ingress policy table, likewise. */
export function ingressEntryTable(antreaPolicy: boolean): number {
  return antreaPolicy ? Table.CNPEmergencyIngressRule : Table.IngressRule;
}
