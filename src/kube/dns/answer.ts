// One DNS query in, one response out (RFC 1035, with EDNS0's payload size): the server is
// authoritative for its zone and answers A (and ANY) questions from the record table; a name
// that exists answers other types with no records (NODATA); a name that does not exist is
// NXDOMAIN. The local cluster is sealed, so there is no upstream to forward other names to:
// they are NXDOMAIN too. Negative answers carry the zone's SOA, whose minimum is the TTL
// resolvers cache them for.
import {
  AUTHORITATIVE_ANSWER,
  RECURSION_DESIRED,
  TRUNCATED_RESPONSE,
  encode,
  type Answer,
  type DecodedPacket,
  type Packet,
} from 'dns-packet';

export const Rcode = { NOERROR: 0, FORMERR: 1, NXDOMAIN: 3, NOTIMP: 4 } as const;
export type RcodeName = keyof typeof Rcode;

/** The classic limit of a UDP answer without EDNS0. */
const UDP_DEFAULT_SIZE = 512;
/** What this server advertises and accepts at most over UDP (the DNS flag day's figure). */
const UDP_MAX_SIZE = 1232;

export interface Zone {
  /** e.g. `cluster.local` */
  readonly name: string;
  /** TTL of answers and of negative answers, in seconds (CoreDNS's kubernetes plugin: 5). */
  readonly ttl: number;
  lookup(name: string): readonly string[] | undefined;
}

/** dns-packet decodes the opcode too; its types leave it out. */
type Query = DecodedPacket & { readonly opcode?: string };

export interface Answered {
  readonly packet: Buffer;
  readonly rcode: RcodeName;
  /** The question's type, for metrics (`other` when there is no question). */
  readonly qtype: string;
}

function soa(zone: Zone): Answer {
  return {
    type: 'SOA',
    name: zone.name,
    ttl: zone.ttl,
    data: {
      mname: `ns.dns.${zone.name}`,
      rname: `hostmaster.${zone.name}`,
      serial: 1,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: zone.ttl,
    },
  };
}

function ednsSize(q: Query): number | undefined {
  const opt = q.additionals?.find((a) => a.type === 'OPT');
  return opt && 'udpPayloadSize' in opt ? opt.udpPayloadSize : undefined;
}

/** Decides the response to a decoded query (pure). */
export function respond(q: Query, zone: Zone): { packet: Packet; rcode: RcodeName; qtype: string } {
  const question = q.questions?.[0];
  const edns = ednsSize(q) !== undefined;
  const opt: Answer = {
    type: 'OPT',
    name: '.',
    udpPayloadSize: UDP_MAX_SIZE,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: 0,
    flag_do: false,
    options: [],
  };
  const reply = (rcode: RcodeName, answers: Answer[], authorities: Answer[] = []) => ({
    packet: {
      type: 'response' as const,
      id: q.id,
      flags: AUTHORITATIVE_ANSWER | ((q.flags ?? 0) & RECURSION_DESIRED) | Rcode[rcode],
      questions: q.questions ?? [],
      answers,
      authorities,
      additionals: edns ? [opt] : [],
    },
    rcode,
    qtype: question?.type ?? 'other',
  });
  if (q.opcode !== undefined && q.opcode !== 'QUERY') return reply('NOTIMP', []);
  if (question === undefined || (q.questions?.length ?? 0) > 1) return reply('FORMERR', []);
  const ips = zone.lookup(question.name);
  if (ips === undefined) return reply('NXDOMAIN', [], [soa(zone)]);
  if (question.type !== 'A' && (question.type as string) !== 'ANY')
    return reply('NOERROR', [], [soa(zone)]);
  return reply(
    'NOERROR',
    ips.map((ip) => ({ type: 'A', name: question.name, ttl: zone.ttl, data: ip })),
  );
}

/**
 * Encodes the response; over UDP one that does not fit the client's size is sent without its
 * records and with TC set, so the client asks again over TCP.
 */
export function encodeResponse(q: Query, zone: Zone, transport: 'udp' | 'tcp'): Answered {
  const r = respond(q, zone);
  let packet = encode(r.packet);
  // RFC 6891: an advertised size below 512 means 512.
  const limit = Math.min(Math.max(ednsSize(q) ?? UDP_DEFAULT_SIZE, UDP_DEFAULT_SIZE), UDP_MAX_SIZE);
  if (transport === 'udp' && packet.length > limit) {
    packet = encode({
      ...r.packet,
      flags: (r.packet.flags ?? 0) | TRUNCATED_RESPONSE,
      answers: [],
      authorities: [],
    });
  }
  return { packet, rcode: r.rcode, qtype: r.qtype };
}
