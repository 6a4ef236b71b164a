// The framing of an exec session on the kubelet's runtime socket (see server.ts), shared by the
// kubelet and its client: after the HTTP upgrade both directions carry frames
//   [channel: 1 byte][length: 4 bytes, big-endian][payload: length bytes].
import type { Duplex } from 'node:stream';

export const Channel = {
  /** client → kubelet: bytes for the command's stdin. */
  Stdin: 0,
  /** kubelet → client: the command's output. */
  Stdout: 1,
  Stderr: 2,
  /** kubelet → client, last frame: JSON `{"exitCode":N}` or `{"error":"…"}`. */
  Exit: 3,
  /** client → kubelet: JSON `{"width":W,"height":H}`. */
  Resize: 4,
  /** client → kubelet: close the command's stdin (empty payload). */
  CloseStdin: 5,
  /** client → kubelet: kill the command (empty payload). */
  Kill: 6,
} as const;
export type ChannelId = (typeof Channel)[keyof typeof Channel];

const HEADER = 5;

export function encodeFrame(channel: ChannelId, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(HEADER);
  head[0] = channel;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** Calls `handler` for every complete frame that arrives on `stream`. */
export function onFrames(
  stream: Duplex,
  handler: (channel: number, payload: Buffer) => void,
): void {
  let buffered: Buffer = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= HEADER) {
      const length = buffered.readUInt32BE(1);
      if (buffered.length < HEADER + length) break;
      const channel = buffered[0]!;
      const payload = buffered.subarray(HEADER, HEADER + length);
      buffered = buffered.subarray(HEADER + length);
      handler(channel, payload);
    }
  });
}
