/**
 * How the public credit registry finds records in `credit_publications` (decisions 012, 033).
 *
 * Every filter is a top-level equality, the one kind FerretDB on PostgreSQL pushes down (and
 * MongoDB serves from the indexes in models/credit-publication.ts):
 * - no text: `tenantId`, `conditionKey`, `listedYear`, `listType` as given, read month bucket by
 *   month bucket newest first (`readNewestFirst`), so a page or the CSV decodes about what it shows
 *   instead of every match (FerretDB 1.24 sorts only after decoding them all);
 * - an 18-character credit code: `searchCode` equality (at most one record per code and tenant);
 * - a code-like text of 3–17 characters: `{ codePrefixes: text }` (exact: every document read
 *   matches) and, as for any other text, the name read; only the prefix read once the text can
 *   only be a code's start (`isCodePrefixOnly`: 8+ characters with the division's six digits);
 * - the name read: ONE gram of the query (`pickQueryGram`) as `{ grams: g }`; the candidates (slim
 *   documents, at most REGISTRY_SEARCH_MAX_CANDIDATES per read) are verified in Node
 *   (`matchesCreditQuery`) and sorted newest first here, so the total is exact without a count.
 * No `$regex`, `$or` or `$all`: FerretDB evaluates those after decoding every document.
 */
import type { Types } from "mongoose";
import { collectionSize } from "../../../models/collection-size";
import { CreditPublication, type CreditPublicationDoc } from "../../../models/credit-publication";
import { normalizeForSearch } from "~/lib/credit";
import { CREDIT_CODE_ALPHABET } from "~/lib/credit-code";
import { findByIds } from "../../../models/find-by-ids";
import { CODE_LENGTH, CODE_PREFIX_MIN, GRAM_MAX, isCodePrefixOnly, matchesCreditQuery, pickQueryGram } from "~/lib/credit-grams";
import type { PostingFilter } from "~/lib/credit-postings";
import { registryMonthsNewestFirst } from "~/lib/registry-months";
import { newestAtFirst, readMonthsNewestFirst } from "../month-walk.server";
import { readPostingMatches } from "./postings.server";
import { REGISTRY_Q_MAX, type RegistryQuery } from "./registry-params";

/**
 * Most candidates one text search reads. A query whose every gram is this common (e.g. "公司")
 * is answered from the first candidates read and flagged `truncated` ("please narrow it").
 */
export const REGISTRY_SEARCH_MAX_CANDIDATES = 5000;

const CODE_CHARS = new Set(CREDIT_CODE_ALPHABET);

export type RegistryPlan = {
  /** Top-level equality only: the whole read without text, the name read with it. */
  filter: Record<string, unknown>;
  /** The normalised query text, when candidates must be verified in Node. */
  verify: { text: string; codeLike: boolean } | null;
  /** A code-like text of 3–17 characters: the exact code-prefix read, besides the name read. */
  prefixFilter: Record<string, unknown> | null;
};

export function registryPlan(
  query: Pick<RegistryQuery, "q" | "condition" | "year" | "listType">,
  tenantId: Types.ObjectId | null,
): RegistryPlan {
  const filter: Record<string, unknown> = {};
  if (tenantId) filter.tenantId = tenantId;
  if (query.condition) filter.conditionKey = query.condition;
  if (query.year) filter.listedYear = query.year;
  if (query.listType) filter.listType = query.listType;
  const text = normalizeForSearch(query.q).slice(0, REGISTRY_Q_MAX);
  if (!text) return { filter, verify: null, prefixFilter: null };
  const length = [...text].length;
  const codeLike = [...text].every((ch) => CODE_CHARS.has(ch));
  if (codeLike && length === CODE_LENGTH) return { filter: { ...filter, searchCode: text }, verify: null, prefixFilter: null };
  if (codeLike && isCodePrefixOnly(text)) return { filter: { ...filter, codePrefixes: text }, verify: { text, codeLike }, prefixFilter: null };
  return {
    filter: { ...filter, grams: pickQueryGram(text) },
    verify: { text, codeLike },
    prefixFilter: codeLike && length >= CODE_PREFIX_MIN ? { ...filter, codePrefixes: text } : null,
  };
}

type Matchable = Pick<CreditPublicationDoc, "_id" | "listedAt" | "search">;
type MatchRef = Pick<CreditPublicationDoc, "_id" | "listedAt">;

/** Newest listing first, then the newest `_id` (the order of the list pages). */
const newestFirst = newestAtFirst<MatchRef>((d) => d.listedAt);

/** The registry's filters of a plan, as the name index checks them. */
function postingFilterOf(filter: Record<string, unknown>): PostingFilter {
  return {
    tenantId: filter.tenantId ? String(filter.tenantId) : null,
    conditionKey: typeof filter.conditionKey === "string" ? filter.conditionKey : null,
    listedYear: typeof filter.listedYear === "number" ? filter.listedYear : null,
    listType: typeof filter.listType === "string" ? filter.listType : null,
  };
}

export type TextMatches<T> = {
  /** Every verified match, newest first: the total is exact. */
  refs: MatchRef[];
  truncated: boolean;
  /** The documents of some of `refs` (a page, the CSV's rows), in their order. */
  load: (refs: MatchRef[]) => Promise<T[]>;
};

/**
 * The verified matches of a text plan, newest first. A name of 3+ characters is looked up in the
 * name index (one posting, decision 036); otherwise, or when the index cannot answer, the name
 * read decodes the candidate publications. The code-prefix read runs beside it; a record found
 * by both counts once. `fields` is the projection `load` returns (`search` and `listedAt` added).
 */
export async function readTextMatches<T extends Matchable>(
  plan: RegistryPlan & { verify: NonNullable<RegistryPlan["verify"]> },
  fields: Record<string, 1>,
  maxCandidates = REGISTRY_SEARCH_MAX_CANDIDATES,
): Promise<TextMatches<T>> {
  const { text, codeLike } = plan.verify;
  const select = { ...fields, search: 1 as const, listedAt: 1 as const };
  const read = (filter: Record<string, unknown>) =>
    CreditPublication.find(filter).setOptions({ crossTenant: true }).select(select).limit(maxCandidates + 1).lean<T[]>();
  const nameIndexed = "grams" in plan.filter && [...text].length >= GRAM_MAX;
  const [posted, prefixed] = await Promise.all([
    nameIndexed ? readPostingMatches(text, postingFilterOf(plan.filter)) : Promise.resolve(null),
    plan.prefixFilter ? read(plan.prefixFilter) : Promise.resolve(null),
  ]);
  const reads = [...(posted ? [] : [await read(plan.filter)]), ...(prefixed ? [prefixed] : [])];
  const refs = new Map<string, MatchRef>();
  const loaded = new Map<string, T>();
  for (const m of posted ?? []) refs.set(String(m._id), m);
  let truncated = false;
  for (const candidates of reads) {
    if (candidates.length > maxCandidates) truncated = true;
    for (const d of candidates.slice(0, maxCandidates)) {
      if (!matchesCreditQuery(d.search, text, codeLike)) continue;
      refs.set(String(d._id), d);
      loaded.set(String(d._id), d);
    }
  }
  const load = async (some: MatchRef[]): Promise<T[]> => {
    const missing = some.filter((r) => !loaded.has(String(r._id))).map((r) => r._id);
    // A default page of 20 rows in one wave.
    const found = await findByIds<T>(CreditPublication, missing, { select, crossTenant: true, parallel: 20 });
    const byId = new Map([...loaded, ...found.map((d) => [String(d._id), d] as const)]);
    // A publication deleted since the index was read is left out.
    return some.flatMap((r) => byId.get(String(r._id)) ?? []);
  };
  return { refs: [...refs.values()].sort(newestFirst), truncated, load };
}

/**
 * From this many publications on, listings without text are read by month bucket: below it one
 * sorted read of every match is cheaper than a walk over ~130 buckets.
 */
export const REGISTRY_WALK_FROM = 1000;

/**
 * Whether a listing is read by month bucket (`walkFrom` overrides the threshold, for tests). A
 * credit-code look-up never is: it has at most one match per city, which one indexed read finds,
 * while a walk would ask every one of ~130 buckets (measured: 27 s at 100,000 publications
 * without the PostgreSQL lookup indexes, one read with or without them).
 */
export async function walksMonthBuckets(filter: Record<string, unknown>, walkFrom = REGISTRY_WALK_FROM): Promise<boolean> {
  if ("searchCode" in filter) return false;
  return (await collectionSize(CreditPublication)) >= walkFrom;
}

/**
 * The first `need` documents of a filter (no text) newest first, read month bucket by month
 * bucket (`listedMonth`, pushed down and index-served) from a little after `now` back to the
 * registry's start, a year's months at a time, stopping once `need` are in hand. `complete` = every
 * bucket was read, so `docs` are all the matches. A listing always has `listedAt` (set when the
 * record is published), so no match lies outside the buckets.
 */
export async function readNewestFirst<T extends Pick<CreditPublicationDoc, "_id" | "listedAt">>(
  filter: Record<string, unknown>,
  fields: Record<string, 1>,
  need: number,
  now = new Date(),
): Promise<{ docs: T[]; complete: boolean }> {
  const year = typeof filter.listedYear === "number" ? filter.listedYear : null;
  return readMonthsNewestFirst<T>(
    registryMonthsNewestFirst(now, year),
    (listedMonth) =>
      CreditPublication.find({ ...filter, listedMonth })
        .setOptions({ crossTenant: true })
        .select({ ...fields, listedAt: 1 })
        .lean<T[]>(),
    newestFirst,
    need,
  );
}
