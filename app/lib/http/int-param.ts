/**
 * The one parser for numeric query parameters (page, year, …). Only plain decimal digits count
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

/** Lenient: digits are clamped into the bounds, anything else gives the fallback. */
export function clampIntParam(raw: string | null | undefined, bounds: IntBounds & { fallback: number }): number {
  const text = (raw ?? "").trim();
  if (!/^\d+$/.test(text)) return bounds.fallback;
  return Math.min(bounds.max, Math.max(bounds.min, Number(text)));
}

/** Highest page number any list accepts (a list never has this many pages of ≤ 100 rows). */
export const MAX_PAGE = 100_000;

/** The `page` parameter of every list page: 1 … MAX_PAGE, anything unusable → 1. */
export function pageParam(search: URLSearchParams): number {
  return clampIntParam(search.get("page"), { min: 1, max: MAX_PAGE, fallback: 1 });
}
