// TCP between pods with OpenBSD netcat (tiny next to a Node process per pod): a server per
// address prints what it receives; a client sends one line to each target and fails unless
// every connection succeeds. Servers are children of the test, stopped by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { run } from '../../src/util/exec.js';

export const PORT = 8080;

/** argv prefix running a command inside a namespace given by path. */
const inNetns = (netns: string, cmd: string[]): string[] => ['nsenter', `--net=${netns}`, ...cmd];

export class NcServer {
  private out = '';
  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (b: Buffer) => (this.out += b.toString()));
  }

  static start(netns: string, ip: string): NcServer {
    const [cmd, ...args] = inNetns(netns, ['nc', '-lk', ip, String(PORT)]);
    return new NcServer(spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] }));
  }

  /** Lines received so far. */
  lines(): string[] {
    return this.out.split('\n').filter((l) => l !== '');
  }

  /**
   * Lines received once there are `count` of them, or at `timeoutMs`: a client counts as done
   * when its line sits in the server's queue, and `nc -lk` takes one connection at a time, so
   * under load the last lines arrive after every client has returned.
   */
  async linesOnce(count: number, timeoutMs = 10_000): Promise<string[]> {
    const deadline = performance.now() + timeoutMs;
    while (this.lines().length < count && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.lines();
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }
}

/**
 * From the namespace, sends `message` to each target (retrying a refused connection briefly,
 * while servers start); rejects naming the first target that could not be reached.
 */
export async function sendTo(
  netns: string,
  targets: readonly string[],
  message: string,
): Promise<void> {
  const script =
    `for t in ${targets.join(' ')}; do ok=; for try in 1 2 3 4 5; do ` +
    `if echo '${message}' | nc -N -w 3 $t ${PORT}; then ok=1; break; fi; sleep 0.2; done; ` +
    `[ -n "$ok" ] || { echo "unreachable: $t" >&2; exit 1; }; done`;
  const [cmd, ...args] = inNetns(netns, ['sh', '-c', script]);
  await run(cmd, args, { timeoutMs: 60_000 });
}
