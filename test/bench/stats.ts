/** Percentile of already-collected samples (nearest-rank). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

export function summarize(samplesMs: readonly number[]): {
  n: number;
  p50: number;
  p95: number;
  max: number;
} {
  return {
    n: samplesMs.length,
    p50: round(percentile(samplesMs, 50)),
    p95: round(percentile(samplesMs, 95)),
    max: round(Math.max(...samplesMs)),
  };
}
