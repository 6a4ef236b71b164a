// The client side of the agent's local API, for antctl in agent mode: GET a route over the
// agent's unix socket and parse the JSON. Kept apart from the server so antctl loads only this.
import { request } from 'node:http';

export const DEFAULT_API_SOCKET = '/var/run/antrea/agent.sock';

/** The agent's API socket: $ANTREA_AGENT_SOCKET, else Antrea's run dir. */
export function agentSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.ANTREA_AGENT_SOCKET || DEFAULT_API_SOCKET;
}

export function agentGet<T>(socketPath: string, path: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', timeout: timeoutMs }, (res) => {
      let text = '';
      res.on('data', (b: Buffer) => (text += b.toString()));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return reject(
            new Error(
              `antrea-agent at ${socketPath}: GET ${path}: not JSON: ${text.slice(0, 200)}`,
            ),
          );
        }
        if (res.statusCode !== 200) {
          const msg = (body as { error?: string }).error ?? `status ${res.statusCode}`;
          return reject(new Error(`antrea-agent at ${socketPath}: GET ${path}: ${msg}`));
        }
        resolve(body as T);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (e) =>
      reject(new Error(`antrea-agent at ${socketPath} is not reachable: ${e.message}`)),
    );
    req.end();
  });
}
