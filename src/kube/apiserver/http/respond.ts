// Reading request bodies and writing JSON and Status responses.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, asApiError, badRequest } from '../errors.js';
import { decodeProtobufBody } from './protobuf.js';

/** kube-apiserver's limit on a request body. */
const MAX_BODY = 3 * 1024 * 1024;

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const e = asApiError(err);
  if (e.code === 500) console.error('apiserver: internal error', err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.code, e.toStatus());
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY)
      throw new ApiError(
        413,
        'RequestEntityTooLarge',
        'Request entity too large: limit is 3145728',
      );
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** The body as JSON; protobuf bodies (kubectl's typed clients) are decoded to the same. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const contentType = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  const body = await readBody(req);
  if (contentType === 'application/vnd.kubernetes.protobuf') return decodeProtobufBody(body);
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}
