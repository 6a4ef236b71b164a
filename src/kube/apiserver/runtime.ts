// What the API server needs from the node side to serve `exec` and `logs`: the local cluster's
// pod runtime implements this (each pod a network namespace); tests use ProcessRuntime.
import type { Readable, Writable } from 'node:stream';
import type { Pod } from '../../apis/core.js';

export interface TerminalSize {
  readonly width: number;
  readonly height: number;
}

export interface ExecOptions {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
  /** With a TTY: the client's terminal size when the command starts. */
  readonly initialSize?: TerminalSize;
}

export interface ExecProcess {
  /** Present when stdin was asked for; ending it closes the command's stdin. */
  readonly stdin: Writable | undefined;
  readonly stdout: Readable | undefined;
  /** Undefined when not asked for, and with a TTY (whose output all comes on stdout). */
  readonly stderr: Readable | undefined;
  /** The exit code; rejects when the command could not be started. */
  readonly exitCode: Promise<number>;
  resize(size: TerminalSize): void;
  kill(): void;
}

export interface LogOptions {
  readonly follow: boolean;
  /** Only the last N lines. */
  readonly tailLines?: number;
  readonly previous?: boolean;
}

export interface PodRuntime {
  /**
   * Runs `command` in the container. Throws an ApiError (or rejects) when the pod or
   * container cannot run commands now.
   */
  exec(
    pod: Pod,
    container: string,
    command: readonly string[],
    opts: ExecOptions,
  ): Promise<ExecProcess>;
  /** The container's log; with `follow`, the stream goes on until `signal` aborts. */
  logs(pod: Pod, container: string, opts: LogOptions, signal: AbortSignal): Promise<Readable>;
}
