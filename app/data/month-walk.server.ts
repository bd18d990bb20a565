/**
 * Newest-first reading of a large list by month bucket (decisions 033, 034). FerretDB 1.x sorts
 * only after decoding every match, so a page of "newest first" over 100,000 documents decoded all
 * of them. Instead each month's documents are read by top-level equality on their month field
 * (pushed down on FerretDB, index-served on MongoDB), sorted in Node within the month, and the
 * walk stops once the page is full.
 */

/** Month buckets read side by side (a year's). */
export const MONTHS_AT_ONCE = 12;

/**
 * The first `need` documents newest first: `read(month)` returns one bucket (any order), `order`
 * sorts within it; `months` is the buckets newest first. `complete` = every bucket was read, so
 * `docs` are all the matches.
 */
export async function readMonthsNewestFirst<T>(
  months: readonly number[],
  read: (month: number) => Promise<T[]>,
  order: (a: T, b: T) => number,
  need: number,
): Promise<{ docs: T[]; complete: boolean }> {
  const docs: T[] = [];
  for (let i = 0; i < months.length; i += MONTHS_AT_ONCE) {
    const reads = await Promise.all(months.slice(i, i + MONTHS_AT_ONCE).map(read));
    for (const bucket of reads) docs.push(...bucket.sort(order));
    if (docs.length >= need) return { docs, complete: i + MONTHS_AT_ONCE >= months.length };
  }
  return { docs, complete: true };
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
