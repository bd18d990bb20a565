/**
 * Page numbers from the URL for the list pages (decision 012). Pages hold at most
 * MAX_PAGE_SIZE rows (every list's page size is fixed on the server and ≤ this); a page number
 * that is not a whole number from 1 to MAX_PAGE (`abc`, `-1`, `1e400`) reads as 1, so a hand-made
 * URL gets a bounded page, never an error.
 */
export const MAX_PAGE_SIZE = 100;
export const MAX_PAGE = 100_000;

export function pageParam(raw: string | null | undefined): number {
  const text = (raw ?? "").trim();
  if (!/^\d{1,9}$/.test(text)) return 1;
  const n = Number(text);
  return n >= 1 && n <= MAX_PAGE ? n : 1;
}
