// antctl's global flags (Antrea's persistent flags, shown as "Global Flags" in every help):
// -k/--kubeconfig, -s/--server, -t/--timeout (a Go-style duration such as 10s or 1m30s) and
// -v/--verbose, as every command reads them.
import { Option, type Command } from 'commander';
import { UsageError } from './errors.js';

export interface GlobalOptions {
  readonly kubeconfig?: string;
  readonly server?: string;
  /** Absent: no limit. */
  readonly timeoutMs?: number;
  readonly verbose: boolean;
}

export function addGlobalOptions(program: Command): Command {
  return program
    .addOption(new Option('-k, --kubeconfig <string>', 'absolute path to the kubeconfig file'))
    .addOption(
      new Option(
        '-s, --server <string>',
        'address and port of the API server, taking precedence over the default endpoint and the one set in kubeconfig',
      ),
    )
    .addOption(new Option('-t, --timeout <duration>', 'time limit of the execution of the command'))
    .addOption(new Option('-v, --verbose', 'enable verbose output'));
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's time.ParseDuration for the units a timeout uses: `500ms`, `10s`, `1m30s`, `0`. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(
      `invalid argument "${text}" for "-t, --timeout" flag: time: invalid duration "${text}"`,
    );
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}

/** The global flags as given to `cmd` (wherever they appeared on the command line). */
export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{
    kubeconfig?: string;
    server?: string;
    timeout?: string;
    verbose?: boolean;
  }>();
  const timeoutMs = o.timeout === undefined ? undefined : parseDuration(o.timeout);
  return {
    ...(o.kubeconfig === undefined ? {} : { kubeconfig: o.kubeconfig }),
    ...(o.server === undefined ? {} : { server: o.server }),
    // Go's 0 means no limit.
    ...(timeoutMs ? { timeoutMs } : {}),
    verbose: o.verbose === true,
  };
}

/** -v: a line on stderr about what antctl does. */
export function verboseLog(g: GlobalOptions, msg: string): void {
  if (g.verbose) process.stderr.write(`${msg}\n`);
}
