// The one place that runs external commands (ip, ethtool, ovs-*). Arguments are passed as an
// array (never through a shell), so names and values cannot be re-interpreted; a command for a
// network namespace runs as `ip netns exec NS cmd …`, which keeps the environment.
import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Run inside this network namespace (`ip netns exec NS …`). */
  readonly netns?: string;
  /** Written to the command's stdin, which is closed afterwards (otherwise stdin is /dev/null). */
  readonly input?: string;
  /** Added to (and overriding) this process's environment. */
  readonly env?: Record<string, string>;
  /** Kill the command (SIGKILL) after this long; default 60 s, so a stuck tool cannot hang a caller. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** A word for `sh`/`bash`, whatever it holds (for the few places that write shell text). */
export const shellWord = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A command that exited non-zero, was killed, timed out or could not start. */
export class ExecError extends Error {
  constructor(
    readonly cmd: string,
    readonly args: string[],
    /** Exit code; null when killed by a signal (incl. timeout) or when the command did not start. */
    readonly code: number | null,
    readonly stderr: string,
    why: string,
    readonly netns?: string,
  ) {
    const where = netns === undefined ? '' : ` (in netns ${netns})`;
    const detail = stderr.trim() === '' ? '' : `: ${stderr.trim()}`;
    super(`${cmd} ${args.join(' ')}${where} ${why}${detail}`);
    this.name = 'ExecError';
  }
}

/** Runs `cmd args…` and resolves with its stdout; rejects with ExecError unless it exits 0. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const argv =
    opts.netns === undefined ? [cmd, ...args] : ['ip', 'netns', 'exec', opts.netns, cmd, ...args];
  const fail = (code: number | null, stderr: string, why: string): ExecError =>
    new ExecError(cmd, [...args], code, stderr, why, opts.netns);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      env: opts.env === undefined ? process.env : { ...process.env, ...opts.env },
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    // Both are pipes (stdio above); the typings cannot tell from a computed stdio array.
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(fail(null, e.message, 'could not start'));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString();
      if (timedOut)
        reject(fail(null, stderr, `timed out after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`));
      else if (code === 0) resolve(Buffer.concat(out).toString());
      else
        reject(
          fail(code, stderr, code === null ? `killed by ${signal}` : `exited with code ${code}`),
        );
    });
    if (child.stdin !== null) {
      // A command that exits before reading all its input closes the pipe (EPIPE); its exit
      // status, reported on 'close', is the error that matters.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}
