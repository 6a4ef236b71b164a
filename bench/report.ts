// One JSON line per figure, the form every benchmark prints.
export function report(bench: string, metric: string, value: number): void {
  process.stdout.write(
    `${JSON.stringify({ bench, metric, value: Math.round(value * 1000) / 1000 })}\n`,
  );
}

export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
