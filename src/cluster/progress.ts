// Progress lines on the terminal while `up`/`down` work, and a failing step named with its log.
export class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly log?: string,
  ) {
    super(message);
  }
}

export async function step<T>(name: string, fn: () => Promise<T>, log?: string): Promise<T> {
  const t0 = Date.now();
  process.stdout.write(`• ${name} …`);
  try {
    const v = await fn();
    process.stdout.write(` done (${((Date.now() - t0) / 1000).toFixed(1)}s)\n`);
    return v;
  } catch (e) {
    process.stdout.write(' FAILED\n');
    if (e instanceof StepError) throw e;
    throw new StepError(name, e instanceof Error ? e.message : String(e), log);
  }
}

/** Polls `check` until it returns a value, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
