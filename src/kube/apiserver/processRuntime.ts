// A PodRuntime made of host processes: exec runs the command from the host's filesystem, in
// the pod's network namespace when it has one (`ip netns exec`), and logs read a file per
// container. A TTY is a real pseudo-terminal from util-linux `script` (so programs see a
// terminal and output gets CRLF), sized to the client's terminal at start; later resizes are
// not applied, as `script` cannot be resized from outside.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Pod } from '../../apis/core.js';
import { shellWord } from '../../util/exec.js';
import { badRequest } from './errors.js';
import type { ExecOptions, ExecProcess, LogOptions, PodRuntime } from './runtime.js';

export interface ProcessRuntimeOptions {
  /** The network namespace a pod's commands run in; undefined runs them in the host's. */
  readonly netns?: (pod: Pod) => string | undefined;
  /** The file holding a container's output. */
  readonly logFile: (pod: Pod, container: string) => string;
}

const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGKILL: 9,
  SIGTERM: 15,
  SIGPIPE: 13,
};

export class ProcessRuntime implements PodRuntime {
  constructor(private readonly options: ProcessRuntimeOptions) {}

  exec(
    pod: Pod,
    _container: string,
    command: readonly string[],
    opts: ExecOptions,
  ): Promise<ExecProcess> {
    const ns = this.options.netns?.(pod);
    const argv = ns ? ['ip', 'netns', 'exec', ns, ...command] : [...command];
    const size = opts.initialSize;
    const setSize = size ? `stty rows ${size.height} cols ${size.width} 2>/dev/null; ` : '';
    const [file, ...args] = opts.tty
      ? ['script', '-qfec', `${setSize}exec ${argv.map(shellWord).join(' ')}`, '/dev/null']
      : argv;
    const child = spawn(file!, args, {
      stdio: [
        opts.stdin ? 'pipe' : 'ignore',
        opts.stdout || opts.tty ? 'pipe' : 'ignore',
        opts.stderr && !opts.tty ? 'pipe' : 'ignore',
      ],
    });
    const exitCode = new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(code ?? 128 + (SIGNALS[signal ?? ''] ?? 0)));
    });
    return Promise.resolve({
      stdin: child.stdin ?? undefined,
      stdout: child.stdout ?? undefined,
      stderr: child.stderr ?? undefined,
      exitCode,
      resize: () => undefined,
      kill: () => {
        child.kill('SIGKILL');
      },
    });
  }

  async logs(
    pod: Pod,
    container: string,
    opts: LogOptions,
    signal: AbortSignal,
  ): Promise<Readable> {
    const file = this.options.logFile(pod, container);
    if (!existsSync(file)) {
      throw badRequest(
        `container "${container}" in pod "${pod.metadata.name ?? ''}" is waiting to start: ContainerCreating`,
      );
    }
    const lines = opts.tailLines !== undefined ? String(opts.tailLines) : '+1';
    const child = spawn('tail', ['-n', lines, ...(opts.follow ? ['-f'] : []), file], {
      stdio: ['ignore', 'pipe', 'ignore'],
      signal,
    });
    child.on('error', () => undefined); // an abort kills tail; that is the normal end of a follow
    return child.stdout;
  }
}
