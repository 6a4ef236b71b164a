// The readiness check of a container that declares ports: its first TCP port has a listening
// socket in the pod's network namespace. /proc/PID/net/tcp{,6} list the sockets of the netns
// PID lives in, so the kubelet reads them from the root namespace without starting a process in
// the pod's (≈300 pods polled that way would be ≈300 processes a second).
import { readFile } from 'node:fs/promises';

const LISTEN = '0A';

/** Whether some socket in PID's network namespace listens on TCP `port` (any address). */
export async function tcpListening(pid: number, port: number): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === LISTEN && local?.endsWith(`:${hexPort}`)) return true;
    }
  }
  return false;
}
