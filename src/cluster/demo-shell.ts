// What `./antrea demo` is made of: a transcript (printed as it goes, saved at the end), commands
// run as a user types them in a shell — the command line, then its real output — and checks of
// each step's expectation, which end the step with the reason when they fail.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A step's expectation that did not hold. */
export class CheckFailed extends Error {}

export interface Ran {
  readonly command: string;
  readonly code: number;
  /** stdout and stderr as a terminal shows them (interleaved). */
  readonly output: string;
}

const COMMAND_TIMEOUT_MS = 120_000;

export class Transcript {
  private readonly lines: string[] = [];

  print(text: string): void {
    process.stdout.write(`${text}\n`);
    this.lines.push(text);
  }

  save(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${this.lines.join('\n')}\n`);
  }
}

export class Shell {
  constructor(
    private readonly transcript: Transcript,
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Runs `command` with bash (stderr into stdout, as on a terminal), printing nothing. */
  quiet(command: string): Promise<Ran> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', `exec 2>&1\n${command}`], {
        cwd: this.cwd,
        env: this.env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({
          command,
          code: code ?? 128,
          output: signal ? `${output}(killed: ${signal})\n` : output,
        });
      });
    });
  }

  /** Prints a command the way it was typed, and its output (the first `maxLines` lines). */
  show(ran: Ran, maxLines = Infinity): void {
    this.transcript.print(`$ ${ran.command}`);
    const lines = ran.output.replace(/\n$/, '').split('\n');
    if (ran.output === '') return;
    this.transcript.print(lines.slice(0, maxLines).join('\n'));
    if (lines.length > maxLines) this.transcript.print(`[… ${lines.length - maxLines} more lines]`);
  }

  /** Runs a command and shows it with its output. */
  async run(command: string, maxLines?: number): Promise<Ran> {
    const ran = await this.quiet(command);
    this.show(ran, maxLines);
    return ran;
  }

  /**
   * Runs a command until `ok` accepts its result (a change takes a moment to reach every node),
   * then shows that run, saying how many it took; the last run if none was accepted.
   */
  async retry(
    command: string,
    ok: (r: Ran) => boolean,
    attempts = 15,
    pauseMs = 2000,
  ): Promise<Ran> {
    let ran = await this.quiet(command);
    let n = 1;
    while (!ok(ran) && n < attempts) {
      await new Promise((r) => setTimeout(r, pauseMs));
      ran = await this.quiet(command);
      n++;
    }
    if (n > 1)
      this.note(`(run ${n} times, ${pauseMs / 1000} s apart, until it showed the expected result)`);
    this.show(ran);
    return ran;
  }

  /** A line of commentary, as a shell comment. */
  note(text: string): void {
    for (const line of text.split('\n')) this.transcript.print(`# ${line}`);
  }

  /** Prints `[ok] what`, or fails the step: `expected: what`. */
  check(ok: boolean, what: string): void {
    if (!ok) throw new CheckFailed(`expected: ${what}`);
    this.transcript.print(`[ok] ${what}`);
  }
}
