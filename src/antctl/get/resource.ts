// One `antctl get RESOURCE` command from its row of the command table (Antrea's antctl is
// declarative the same way): name, aliases, help texts, the modes it runs in, its own flags,
// how it fetches the items, and how a table shows them. Every such command takes -o.
import { Command, type Option } from 'commander';
import { resolveEndpoint, requireMode, type Endpoint, type Mode } from '../endpoint.js';
import { globalOptions, type GlobalOptions } from '../globals.js';
import { cobraHelp } from '../help.js';
import { formatOutput, outputOption, parseOutputFormat, type TableSpec } from '../output.js';

/** The command line as a fetch sees it. */
export interface Request<O> {
  readonly endpoint: Endpoint;
  readonly global: GlobalOptions;
  readonly opts: O;
  /** The optional NAME argument, for commands that take one. */
  readonly name: string | undefined;
}

export interface ResourceSpec<T, O> {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** Listed under "Available Commands". */
  readonly short: string;
  /** Heads the command's own help; `short` if absent. */
  readonly long?: string;
  readonly example?: string;
  readonly modes: readonly Mode[];
  /** Takes an optional NAME argument. */
  readonly named?: boolean;
  readonly options?: readonly Option[];
  fetch(req: Request<O>): Promise<readonly T[]>;
  readonly table: TableSpec<T>;
}

export function resourceCommand<T, O extends object>(spec: ResourceSpec<T, O>): Command {
  const cmd = new Command(spec.name).summary(spec.short).description(spec.long ?? spec.short);
  for (const alias of spec.aliases ?? []) cmd.alias(alias);
  if (spec.named) cmd.argument('[name]');
  for (const o of spec.options ?? []) cmd.addOption(o);
  cmd.addOption(outputOption());
  cmd.action(async (...args: unknown[]) => {
    // commander passes the arguments, then the options, then the command itself.
    const self = args.at(-1) as Command;
    const opts = self.opts<O & { output: string }>();
    const global = globalOptions(self);
    const endpoint = await resolveEndpoint(global);
    requireMode(endpoint, spec.modes, `antctl get ${spec.name}`);
    const name = spec.named ? (args[0] as string | undefined) : undefined;
    const items = await spec.fetch({ endpoint, global, opts, name });
    process.stdout.write(formatOutput(items, parseOutputFormat(opts.output), spec.table));
  });
  return cobraHelp(cmd, spec.example);
}

/** Antrea's table cell for a list: as many items as fit in `width`, then `+ N more...`. */
export function summarize(items: readonly string[], width = 50): string {
  const sorted = [...items].sort();
  let shown = 0;
  let text = '';
  for (const item of sorted) {
    const next = text === '' ? item : `${text},${item}`;
    if (shown > 0 && next.length > width) break;
    text = next;
    shown++;
  }
  return shown < sorted.length ? `${text} + ${sorted.length - shown} more...` : text;
}
