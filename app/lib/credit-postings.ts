/**
 * The credit registry's name index as postings (decision 036). Pure.
 *
 * One posting per 3-character gram of a normalised publication name holds, for every publication
 * whose name contains that gram, a slim entry: what the search verifies and orders by. A name
 * search of 3+ characters reads ONE posting by `_id` (its least common gram's) instead of every
 * publication containing the gram (≈ 830 documents decoded at 0.5 ms each at 100,000
 * publications), then verifies and orders the entries here. A posting that would exceed
 * POSTING_MAX entries is kept as an overflow marker without entries; the search then tries the
 * query's next gram, and falls back to the publications' own `grams` read when all are.
 */
import { commonCharCount, GRAM_MAX } from "./credit-grams";

/** A posting never holds more entries than this (≈ 250 KB); past it the gram is `over`. */
export const POSTING_MAX = 3000;

/** Grams of a query tried before the search falls back to the publications' `grams` read. */
export const POSTING_TRIES = 4;

/**
 * One publication in a posting: `i` id, `t` tenantId, `n` normalised name, `a` listedAt in ms
 * or null, `k` conditionKey, `y` listedYear or null, `l` listType. Stored packed (`packEntries`).
 */
export type PostingEntry = { i: string; t: string; n: string; a: number | null; k: string; y: number | null; l: string };

export type PostingSource = {
  _id: unknown;
  tenantId: unknown;
  search: { name: string };
  listedAt: Date | string | null;
  conditionKey: string;
  listedYear: number | null;
  listType: string;
};

export function postingEntry(p: PostingSource): PostingEntry {
  return {
    i: String(p._id),
    t: String(p.tenantId),
    n: p.search.name,
    a: p.listedAt ? new Date(p.listedAt).getTime() : null,
    k: p.conditionKey,
    y: p.listedYear ?? null,
    l: p.listType,
  };
}

/** The distinct 3-character grams of a normalised name (none for a shorter name). */
export function postingGrams(name: string): string[] {
  const chars = [...name];
  const grams = new Set<string>();
  for (let i = 0; i + GRAM_MAX <= chars.length; i++) grams.add(chars.slice(i, i + GRAM_MAX).join(""));
  return [...grams];
}

/** A query's grams, the likeliest shortest posting first (fewest common characters, then order). */
export function queryPostingGrams(text: string): string[] {
  return postingGrams(text)
    .map((g, i) => ({ g, i, s: commonCharCount(g) }))
    .sort((a, b) => a.s - b.s || a.i - b.i)
    .map((x) => x.g);
}

export type PostingFilter = {
  tenantId: string | null;
  conditionKey: string | null;
  listedYear: number | null;
  listType: string | null;
};

/** Whether an entry is a match: the registry's filters, and its name contains the query. */
export function entryMatches(e: PostingEntry, f: PostingFilter, text: string): boolean {
  if (f.tenantId !== null && e.t !== f.tenantId) return false;
  if (f.conditionKey !== null && e.k !== f.conditionKey) return false;
  if (f.listedYear !== null && e.y !== f.listedYear) return false;
  if (f.listType !== null && e.l !== f.listType) return false;
  return e.n.includes(text);
}

/** Equal entries need no write (compared field by field: stored keys may come back reordered). */
export function sameEntry(a: PostingEntry | null | undefined, b: PostingEntry | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.i === b.i && a.t === b.t && a.n === b.n && a.a === b.a && a.k === b.k && a.y === b.y && a.l === b.l;
}

export type Posting = { entries: PostingEntry[]; over: boolean };

/**
 * A posting with the publication `id`'s entry replaced by `entry` (removed when null); the same
 * object when nothing changes, so the caller can skip the write. An overflowing posting keeps no
 * entries: it stays `over` (the search no longer uses it).
 */
export function applyToPosting(posting: Posting, id: string, entry: PostingEntry | null, max = POSTING_MAX): Posting {
  if (posting.over) return posting;
  const at = posting.entries.findIndex((e) => e.i === id);
  if (at < 0 && !entry) return posting;
  if (at >= 0 && entry && sameEntry(posting.entries[at], entry)) return posting;
  const entries = posting.entries.slice();
  if (at >= 0 && entry) entries[at] = entry;
  else if (at >= 0) entries.splice(at, 1);
  else if (entry) entries.push(entry);
  return entries.length > max ? { entries: [], over: true } : { entries, over: false };
}

/** A built posting: its entries, or the overflow marker when there are too many. */
export function builtPosting(entries: PostingEntry[], max = POSTING_MAX): Posting {
  return entries.length > max ? { entries: [], over: true } : { entries, over: false };
}

/**
 * What a publication's change does to the postings: the grams whose posting loses its entry and
 * the grams whose posting gets the new entry (new grams, or all of them when the entry changed).
 */
export function postingChanges(
  before: { grams: readonly string[]; entry: PostingEntry | null },
  after: { grams: readonly string[]; entry: PostingEntry | null },
): { remove: string[]; put: string[] } {
  const next = new Set(after.grams);
  const prev = new Set(before.grams);
  const changed = !sameEntry(before.entry, after.entry);
  return {
    remove: before.grams.filter((g) => !next.has(g)),
    put: after.grams.filter((g) => changed || !prev.has(g)),
  };
}

/**
 * A posting's entries as ONE string: a line per entry, its fields separated by tabs. FerretDB 1.x
 * decodes every value of a document it reads at ~15 µs each: a posting of 950 entries as
 * documents took 70–100 ms to read; as one string it is one value. A name never holds a tab or a
 * line break (`normalizeForSearch`), and they are replaced by spaces here all the same.
 */
export function packEntries(entries: readonly PostingEntry[]): string {
  const clean = (text: string) => text.replace(/[\t\n]/g, " ");
  return entries
    .map((e) => [e.i, e.t, clean(e.n), e.a === null ? "" : String(e.a), clean(e.k), e.y === null ? "" : String(e.y), clean(e.l)].join("\t"))
    .join("\n");
}

export function unpackEntries(packed: string): PostingEntry[] {
  if (!packed) return [];
  return packed.split("\n").map((line) => {
    const [i = "", t = "", n = "", a = "", k = "", y = "", l = ""] = line.split("\t");
    return { i, t, n, a: a === "" ? null : Number(a), k, y: y === "" ? null : Number(y), l };
  });
}
