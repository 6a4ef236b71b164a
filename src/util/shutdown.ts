// The one way a component process ends on SIGTERM/SIGINT: run its stop, then exit (1 if the stop
// failed).
export function exitOnSignal(stop: () => Promise<unknown> | void): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      Promise.resolve()
        .then(stop)
        .then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(err);
            process.exit(1);
          },
        );
    });
  }
}
