// `pods/log`: the container's log from the PodRuntime as text/plain, streamed while `follow`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pod } from '../../../apis/core.js';
import { ApiError, badRequest } from '../errors.js';
import type { PodRuntime } from '../runtime.js';
import { podContainer } from './podContainer.js';

function optionalInt(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  if (!/^\d+$/.test(v))
    throw badRequest(`${key}: Invalid value: "${v}": must be a non-negative integer`);
  return Number(v);
}

export async function serveLogs(
  pod: Pod,
  runtime: PodRuntime | undefined,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const container = podContainer(pod, query.get('container') ?? '');
  if (!runtime)
    throw new ApiError(503, 'ServiceUnavailable', 'no pod runtime serves logs on this server');
  const tailLines = optionalInt(query, 'tailLines');
  const limitBytes = optionalInt(query, 'limitBytes');
  const abort = new AbortController();
  req.on('close', () => abort.abort());
  const stream = await runtime.logs(
    pod,
    container,
    {
      follow: query.get('follow') === 'true',
      previous: query.get('previous') === 'true',
      ...(tailLines !== undefined ? { tailLines } : {}),
    },
    abort.signal,
  );
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let sent = 0;
  stream.on('data', (chunk: Buffer) => {
    const part =
      limitBytes === undefined ? chunk : chunk.subarray(0, Math.max(0, limitBytes - sent));
    sent += part.length;
    if (part.length > 0) res.write(part);
    if (limitBytes !== undefined && sent >= limitBytes) abort.abort();
  });
  await new Promise<void>((resolve) => {
    stream.once('close', resolve).once('end', resolve).once('error', resolve);
    abort.signal.addEventListener('abort', () => resolve());
  });
  res.end();
}
