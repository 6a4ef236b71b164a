#!/usr/bin/env node
// antrea-cni: the CNI plugin executable a container runtime runs for every pod (CNI spec 1.0.0,
// with GC and STATUS of 1.1.0). It checks the inputs, answers VERSION itself, and forwards every
// other command to the agent's CNI server over a unix socket, printing the agent's answer. Its
// import graph is node:net and two small files of its own, so it starts about as fast as Node:
// CommonJS (.cts), as Node loads it ≈ 13 ms faster than an ES module here, and it reads stdin
// and exits without the stream and teardown work Node would otherwise do.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { configVersion, parseRequest, type CniRequest } from './request.cjs';
import {
  CniError,
  DEFAULT_CNI_SOCKET,
  ErrorCode,
  LATEST_VERSION,
  SUPPORTED_VERSIONS,
  type CniServerRequest,
  type CniServerResponse,
} from './spec.cjs';

/** The runtime has its own timeout; this one only stops a plugin stuck on a hung agent. */
const AGENT_TIMEOUT_MS = 120_000;

/** A runtime's stdin is a blocking pipe, read at once; a non-blocking one through a stream. */
async function readStdin(): Promise<string> {
  try {
    return readFileSync(0, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One request line out, one response line back. */
function callAgent(socketPath: string, request: CniServerRequest): Promise<CniServerResponse> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let data = '';
    sock.setTimeout(AGENT_TIMEOUT_MS, () =>
      sock.destroy(new Error(`no answer in ${AGENT_TIMEOUT_MS} ms`)),
    );
    sock.on('connect', () => sock.write(JSON.stringify(request) + '\n'));
    sock.on('data', (b: Buffer) => {
      data += b.toString('utf8');
      const nl = data.indexOf('\n');
      if (nl < 0) return;
      sock.end();
      try {
        resolve(JSON.parse(data.slice(0, nl)) as CniServerResponse);
      } catch (e) {
        reject(e as Error);
      }
    });
    sock.on('error', reject);
    sock.on('close', () => reject(new Error('the agent closed the connection without an answer')));
  });
}

/** The agent not answering is transient for ADD/DEL/CHECK (retry later), "not available" for STATUS. */
function agentUnreachable(req: CniRequest, socketPath: string, e: Error): CniError {
  const code = req.command === 'STATUS' ? ErrorCode.PluginNotAvailable : ErrorCode.TryAgainLater;
  return new CniError(code, `antrea-agent is not reachable at ${socketPath}`, e.message);
}

async function main(): Promise<number> {
  const env = process.env;
  const stdin = await readStdin();
  const version = configVersion(stdin) ?? LATEST_VERSION;
  let req: CniRequest;
  try {
    req = parseRequest(env, stdin);
  } catch (e) {
    if (!(e instanceof CniError)) throw e;
    process.stdout.write(JSON.stringify(e.toObject(version)) + '\n');
    return 1;
  }
  if (req.command === 'VERSION') {
    process.stdout.write(
      JSON.stringify({ cniVersion: LATEST_VERSION, supportedVersions: SUPPORTED_VERSIONS }) + '\n',
    );
    return 0;
  }
  const socketPath = req.conf.socketPath ?? DEFAULT_CNI_SOCKET;
  const forwarded: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    if (k.startsWith('CNI_') && v !== undefined) forwarded[k] = v;
  let response: CniServerResponse;
  try {
    response = await callAgent(socketPath, { env: forwarded, stdin });
  } catch (e) {
    response = { error: agentUnreachable(req, socketPath, e as Error).toObject(version) };
  }
  if ('error' in response) {
    process.stdout.write(JSON.stringify(response.error) + '\n');
    return 1;
  }
  // Only ADD prints a result; CHECK, DEL, GC and STATUS print nothing on success.
  if (req.command === 'ADD') process.stdout.write(JSON.stringify(response.result) + '\n');
  return 0;
}

/** A bug, not a CNI error: still the spec's error object, with libcni's internal code. */
function internalError(e: unknown): number {
  const err = new CniError(ErrorCode.Internal, 'antrea-cni internal error', String(e));
  process.stdout.write(JSON.stringify(err.toObject(LATEST_VERSION)) + '\n');
  return 1;
}

// Output to a pipe or file is written synchronously, so exiting at once loses nothing.
void main()
  .catch(internalError)
  .then((code) => process.exit(code));
