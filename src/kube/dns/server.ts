// The DNS server's transports: UDP datagrams, and TCP connections carrying length-prefixed
// messages (RFC 1035 4.2.2; several per connection, possibly split across reads). Each query is
// answered from the zone; `onAnswer` sees every answer (metrics). A datagram or message that
// does not decode is dropped, as there is no id to answer it with for sure.
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket as TcpSocket } from 'node:net';
import { decode } from 'dns-packet';
import { encodeResponse, type Answered, type Zone } from './answer.js';

/** A TCP client that sends nothing for this long is dropped (CoreDNS: 10 s read timeout). */
const TCP_IDLE_MS = 10_000;

export type AnswerListener = (transport: 'udp' | 'tcp', answered: Answered) => void;

export class DnsServer {
  private udp: Socket | undefined;
  private tcp: Server | undefined;
  private readonly connections = new Set<TcpSocket>();

  constructor(
    private readonly zone: Zone,
    private readonly onAnswer: AnswerListener = () => undefined,
  ) {}

  /** Binds UDP and TCP on the same port (0: any free one, the same for both); returns it. */
  async listen(host: string, port: number): Promise<number> {
    const tcp = createServer((conn) => this.serveConnection(conn));
    tcp.listen(port, host);
    await once(tcp, 'listening');
    this.tcp = tcp;
    const bound = (tcp.address() as AddressInfo).port;
    const udp = createSocket('udp4');
    udp.on('message', (msg, from) => {
      const answered = this.answer(msg, 'udp');
      if (answered) udp.send(answered.packet, from.port, from.address);
    });
    udp.bind(bound, host);
    await once(udp, 'listening');
    this.udp = udp;
    return bound;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    const closing: Promise<unknown>[] = [];
    if (this.tcp) closing.push(new Promise((r) => this.tcp!.close(r)));
    if (this.udp) closing.push(new Promise((r) => this.udp!.close(() => r(undefined))));
    await Promise.all(closing);
  }

  private answer(message: Buffer, transport: 'udp' | 'tcp'): Answered | undefined {
    let query: ReturnType<typeof decode>;
    try {
      query = decode(message);
    } catch {
      return undefined;
    }
    if (query.type !== 'query') return undefined;
    const answered = encodeResponse(query, this.zone, transport);
    this.onAnswer(transport, answered);
    return answered;
  }

  private serveConnection(conn: TcpSocket): void {
    this.connections.add(conn);
    conn.setTimeout(TCP_IDLE_MS, () => conn.destroy());
    conn.on('close', () => this.connections.delete(conn));
    conn.on('error', () => conn.destroy());
    let pending = Buffer.alloc(0);
    conn.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const length = pending.readUInt16BE(0);
        const answered = this.answer(pending.subarray(2, 2 + length), 'tcp');
        pending = pending.subarray(2 + length);
        if (answered === undefined) return void conn.destroy();
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(answered.packet.length);
        conn.write(Buffer.concat([prefix, answered.packet]));
      }
    });
  }
}
