// antctl's help in the form Antrea's antctl (cobra + pflag) prints it, which the seed shows:
// the long description, "Usage:", "Aliases:", "Examples:", "Available Commands:" (names padded
// to the longest, at least 11), "Flags:" and "Global Flags:" (pflag's columns: `-x, --name
// type`, padded, three spaces, the usage and `(default "…")`; sorted by name), and the hint
// to ask a subcommand for help. Commander parses; this only renders.
import { Command, type Option } from 'commander';
import { UsageError } from './errors.js';

const examples = new WeakMap<Command, string>();

/** cobra's minimum width of the command name column. */
const MIN_NAME_PADDING = 11;

/**
 * A command that only groups subcommands: run bare, it prints its help on stdout after a blank
 * line (as the seed's `antctl get` shows); with an unknown subcommand it fails as cobra does.
 */
export function groupCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .argument('[command]')
    .action((sub: string | undefined, _opts: unknown, self: Command) => {
      if (sub !== undefined)
        throw new UsageError(`unknown command "${sub}" for "${commandPath(self)}"`);
      process.stdout.write(`\n${self.helpInformation()}`);
    });
}

/** Renders `cmd`'s help as cobra does, with `example` under "Examples:"; -h reads "help for NAME". */
export function cobraHelp(cmd: Command, example?: string): Command {
  if (example !== undefined) examples.set(cmd, example);
  return cmd
    .helpOption('-h, --help', `help for ${cmd.name()}`)
    .configureHelp({ formatHelp: (c) => formatHelp(c) });
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The type pflag prints after a flag: the option's placeholder, e.g. `<string>` → string. */
function flagRow(o: Option): [string, string] {
  const names = o.short !== undefined ? `  ${o.short}, ${o.long}` : `      ${o.long}`;
  const type = /[<[](\w+)[>\]]/.exec(o.flags)?.[1];
  const def =
    typeof o.defaultValue === 'string' && o.defaultValue !== ''
      ? ` (default "${o.defaultValue}")`
      : '';
  return [type === undefined ? names : `${names} ${type}`, `${o.description}${def}`];
}

function flagBlock(rows: [string, string][]): string {
  const sortKey = (r: [string, string]): string => /--([\w-]+)/.exec(r[0])?.[1] ?? '';
  const sorted = [...rows].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  const width = Math.max(...sorted.map((r) => r[0].length));
  return sorted.map(([left, usage]) => `${left.padEnd(width)}   ${usage}`).join('\n');
}

function usageLines(cmd: Command): string {
  const path = commandPath(cmd);
  if (cmd.commands.length > 0) return `  ${path} [command]`;
  const args = cmd.registeredArguments.map((a) =>
    a.required ? `${a.name()}` : `[${a.name()}${a.variadic ? '...' : ''}]`,
  );
  return `  ${[path, ...args, '[flags]'].join(' ')}`;
}

export function formatHelp(cmd: Command): string {
  const sections: string[] = [];
  const long = cmd.description() || cmd.summary();
  if (long) sections.push(long);
  sections.push(`Usage:\n\n${usageLines(cmd)}`);
  if (cmd.aliases().length > 0)
    sections.push(`Aliases:\n  ${[cmd.name(), ...cmd.aliases()].join(', ')}`);
  const example = examples.get(cmd);
  if (example !== undefined) sections.push(`Examples:\n${example}`);
  const subs = [...cmd.commands].sort((a, b) => a.name().localeCompare(b.name()));
  if (subs.length > 0) {
    const pad = Math.max(MIN_NAME_PADDING, ...subs.map((s) => s.name().length));
    const lines = subs.map((s) => `  ${s.name().padEnd(pad)} ${s.summary() || s.description()}`);
    sections.push(`Available Commands:\n${lines.join('\n')}`);
  }
  const own = cmd.options.filter((o) => !o.hidden).map(flagRow);
  own.push(['  -h, --help', `help for ${cmd.name()}`]);
  sections.push(`Flags:\n${flagBlock(own)}`);
  const inherited: [string, string][] = [];
  for (let p = cmd.parent; p !== null; p = p.parent)
    inherited.push(...p.options.filter((o) => !o.hidden).map(flagRow));
  if (inherited.length > 0) sections.push(`Global Flags:\n${flagBlock(inherited)}`);
  if (subs.length > 0)
    sections.push(
      `Use "${commandPath(cmd)} [command] --help" for more information about a command.`,
    );
  return `${sections.join('\n\n')}\n`;
}
