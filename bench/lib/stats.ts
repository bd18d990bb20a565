/** Small helpers every benchmark module shares: quantiles, timing, "run when invoked directly". */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** One line of the bench table. */
export type BenchRow = { name: string; value: number; unit: string; target?: string; pass?: boolean };

/** Linear-interpolated quantile of an ascending list. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (pos - lo);
}

export function median(values: number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** True when the module at `importMetaUrl` is the script node was started with (`npx tsx bench/x.ts`). */
export function invokedDirectly(importMetaUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return pathToFileURL(realpathSync(entry)).href === importMetaUrl;
  } catch {
    return false;
  }
}

export function printRows(rows: BenchRow[]): void {
  for (const row of rows) console.log(`${row.name.padEnd(64)} ${row.value.toFixed(1)} ${row.unit} ${row.target ?? ""}`);
}
