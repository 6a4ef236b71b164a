// Runs the built antctl as a user does, asynchronously (tests serve its endpoints in-process),
// with $ANTREA_AGENT_SOCKET set to `agentSocket` (agent mode) or unset (controller mode).
import { spawn } from 'node:child_process';

export interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function antctl(agentSocket: string | undefined, args: readonly string[]): Promise<Result> {
  const env = { ...process.env };
  if (agentSocket === undefined) delete env['ANTREA_AGENT_SOCKET'];
  else env['ANTREA_AGENT_SOCKET'] = agentSocket;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/src/antctl/main.js', ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
