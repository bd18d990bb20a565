/**
 * Pure helpers for lists served from cached rows (decision 031): the same text-search semantics
 * the lists had as queries (a case-insensitive substring of the name; an anchored prefix of the
 * normalised credit code), a stable order, and bounded pages.
 */
import { CREDIT_CODE_ALPHABET, normalizeCreditCode } from "../credit-code";
import { MAX_PAGE_SIZE } from "../paging";

/** Byte-order comparison of two strings (as the database sorts), for `Array.prototype.sort`. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A predicate for the list's search box, or null when the box is empty: the name contains the
 * text (case-insensitive, as `$regex` with `i`), or the credit code starts with it once normalised
 * (only when the text could be the start of a code).
 */
export function nameOrCodeMatcher(q: string | undefined): ((name: string, code: string) => boolean) | null {
  const text = q?.trim() ?? "";
  if (!text) return null;
  const lower = text.toLowerCase();
  const code = normalizeCreditCode(text);
  const codeLike = code !== "" && [...code].every((ch) => CREDIT_CODE_ALPHABET.includes(ch));
  return (name, creditCode) => name.toLowerCase().includes(lower) || (codeLike && creditCode.startsWith(code));
}

export type Page<T> = { items: T[]; total: number; page: number; pageSize: number };

/** Page `page` (from 1) of `rows`, at most MAX_PAGE_SIZE rows, with the total. */
export function pageOf<T, U = T>(rows: readonly T[], page: number, pageSize: number, map?: (row: T) => U): Page<U> {
  const size = Math.min(Math.max(1, Math.floor(pageSize)), MAX_PAGE_SIZE);
  const current = Math.max(1, Math.floor(page));
  const slice = rows.slice((current - 1) * size, current * size);
  return {
    items: map ? slice.map(map) : (slice as unknown as U[]),
    total: rows.length,
    page: current,
    pageSize: size,
  };
}
