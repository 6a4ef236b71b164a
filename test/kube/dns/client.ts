// A minimal DNS client for the tests, over dns-packet: one query over UDP, or any bytes over
// one TCP connection collecting the length-prefixed answers.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { decode, encode, type Packet, type RecordType } from 'dns-packet';

/** dns-packet decodes the rcode too; its types leave it out. */
export type Reply = ReturnType<typeof decode> & { rcode?: string };

export const query = (name: string, type: RecordType = 'A', id = 7): Packet => ({
  type: 'query',
  id,
  flags: 0x100, // RD, as stub resolvers send it
  questions: [{ type, name }],
});

export function udp(port: number, q: Packet, timeoutMs = 2000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error('no UDP answer'));
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(decode(m));
    });
    s.send(encode(q), port, '127.0.0.1');
  });
}

export function framed(q: Packet): Buffer {
  const body = encode(q);
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(body.length);
  return Buffer.concat([prefix, body]);
}

/** Sends `chunks` of one TCP stream (20 ms apart); resolves with the first `expected` answers. */
export function tcp(port: number, chunks: Buffer[], expected: number): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    const replies: Reply[] = [];
    let buf = Buffer.alloc(0);
    const s = connect(port, '127.0.0.1', async () => {
      for (const c of chunks) {
        s.write(c);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    s.on('error', reject);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (replies.length === expected) {
        s.destroy();
        resolve(replies);
      }
    });
  });
}
