/** 1536 -> "1.5 KB" (powers of 1024, one decimal under 10). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || n < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);
