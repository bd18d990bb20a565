/**
 * The one parser for numeric query parameters (page via app/lib/paging.ts, year, …). Only plain decimal digits count
 * as a number: `Infinity`, `1e308`, `-1`, `0x10`, `abc` are not numbers here.
 */

export type IntBounds = { min: number; max: number };

/** Strict: absent/empty → `undefined`; digits within the bounds → the value; anything else → error. */
export function parseIntParam(
  raw: string | null | undefined,
  bounds: IntBounds,
): { ok: true; value: number | undefined } | { ok: false } {
  const text = (raw ?? "").trim();
  if (text === "") return { ok: true, value: undefined };
  if (!/^\d{1,15}$/.test(text)) return { ok: false };
  const value = Number(text);
  return value >= bounds.min && value <= bounds.max ? { ok: true, value } : { ok: false };
}
