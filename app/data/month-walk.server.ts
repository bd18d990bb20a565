/**
 * Newest-first reading of a large list by month bucket (decisions 033, 034). FerretDB 1.x sorts
 * only after decoding every match, so a page of "newest first" over 100,000 documents decoded all
 * of them. Instead each month's documents are read by top-level equality on their month field
 * (pushed down on FerretDB, index-served on MongoDB), sorted in Node within the month, and the
 * walk stops once the page is full.
 */

/** Most month buckets read side by side (a year's). */
export const MONTHS_AT_ONCE = 12;

/**
 * The first `need` documents newest first: `read(month)` returns one bucket (any order), `order`
 * sorts within it; `months` is the buckets newest first. `complete` = every bucket was read, so
 * `docs` are all the matches.
 *
 * Every document read is decoded by FerretDB whether it is used or not (≈ 0.3 ms per credit
 * publication), so the walk reads as few buckets as it can: one at first, then as many as the
 * density seen so far says the rest needs (doubling while it has found nothing), at most
 * MONTHS_AT_ONCE side by side.
 */
export async function readMonthsNewestFirst<T>(
  months: readonly number[],
  read: (month: number) => Promise<T[]>,
  order: (a: T, b: T) => number,
  need: number,
): Promise<{ docs: T[]; complete: boolean }> {
  const docs: T[] = [];
  let next = 0;
  let width = 1;
  let firstFound = -1;
  while (next < months.length) {
    const batch = months.slice(next, next + width);
    const reads = await Promise.all(batch.map(read));
    for (const [k, bucket] of reads.entries()) {
      if (bucket.length > 0 && firstFound < 0) firstFound = next + k;
      docs.push(...bucket.sort(order));
    }
    next += batch.length;
    if (docs.length >= need) break;
    width = nextWidth({ width, found: docs.length, monthsSinceFirst: firstFound < 0 ? 0 : next - firstFound, need });
  }
  return { docs, complete: next >= months.length };
}

/** How many buckets to read next: the rest at the density seen so far, or twice as many while none. */
export function nextWidth(input: { width: number; found: number; monthsSinceFirst: number; need: number }): number {
  if (input.found === 0 || input.monthsSinceFirst === 0) return Math.min(input.width * 2, MONTHS_AT_ONCE);
  const perMonth = input.found / input.monthsSinceFirst;
  return Math.max(1, Math.min(MONTHS_AT_ONCE, Math.ceil((input.need - input.found) / perMonth)));
}

/** Newer `at` first, then the newer `_id`: the order of every such list. */
export function newestAtFirst<T extends { _id: unknown }>(at: (doc: T) => Date | null | undefined) {
  return (a: T, b: T): number => {
    const ta = at(a) ? new Date(at(a) as Date).getTime() : -Infinity;
    const tb = at(b) ? new Date(at(b) as Date).getTime() : -Infinity;
    if (ta !== tb) return tb - ta;
    return String(b._id).localeCompare(String(a._id));
  };
}
