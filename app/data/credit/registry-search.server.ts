/**
 * How the public credit registry finds records in `credit_publications` (decision 012).
 *
 * Every filter is a top-level equality, the one kind FerretDB on PostgreSQL pushes down (and
 * MongoDB serves from the indexes in models/credit-publication.ts):
 * - no text: `tenantId`, `conditionKey`, `listedYear`, `listType` as given;
 * - an 18-character credit code: `searchCode` equality (at most one record per code and tenant);
 * - any other text: ONE gram of the query (`pickQueryGram`) as `{ grams: g }`; the candidates
 *   (slim documents, at most REGISTRY_SEARCH_MAX_CANDIDATES) are verified in Node
 *   (`matchesCreditQuery`: the name contains the whole query, or the code starts with it) and
 *   sorted newest first here, so the total is exact without a count query.
 * No `$regex`, `$or` or `$all`: FerretDB evaluates those after decoding every document.
 */
import type { Types } from "mongoose";
import { CreditPublication, type CreditPublicationDoc } from "../../../models/credit-publication";
import { normalizeForSearch } from "~/lib/credit";
import { CREDIT_CODE_ALPHABET } from "~/lib/credit-code";
import { matchesCreditQuery, pickQueryGram } from "~/lib/credit-grams";
import { REGISTRY_Q_MAX, type RegistryQuery } from "./registry-params";

/**
 * Most candidates one text search reads. A query whose every gram is this common (e.g. "公司")
 * is answered from the first candidates read and flagged `truncated` ("please narrow it").
 */
export const REGISTRY_SEARCH_MAX_CANDIDATES = 5000;

const CODE_CHARS = new Set(CREDIT_CODE_ALPHABET);

export type RegistryPlan = {
  /** Top-level equality only. */
  filter: Record<string, unknown>;
  /** The normalised query text, when candidates must be verified in Node. */
  verify: { text: string; codeLike: boolean } | null;
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
  if (!text) return { filter, verify: null };
  const codeLike = [...text].every((ch) => CODE_CHARS.has(ch));
  if (codeLike && text.length === 18) return { filter: { ...filter, searchCode: text }, verify: null };
  return { filter: { ...filter, grams: pickQueryGram(text, codeLike) }, verify: { text, codeLike } };
}

type Matchable = Pick<CreditPublicationDoc, "_id" | "listedAt" | "search">;

/** Newest listing first, then the newest `_id` (the order of the list pages). */
function newestFirst(a: Matchable, b: Matchable): number {
  const ta = a.listedAt ? new Date(a.listedAt).getTime() : -Infinity;
  const tb = b.listedAt ? new Date(b.listedAt).getTime() : -Infinity;
  if (ta !== tb) return tb - ta;
  return String(b._id).localeCompare(String(a._id));
}

/**
 * The verified matches of a text plan, newest first. `fields` is the projection the caller
 * needs; `search`, `listedAt` and `_id` are added for the check and the order.
 */
export async function readTextMatches<T extends Matchable>(
  plan: RegistryPlan & { verify: NonNullable<RegistryPlan["verify"]> },
  fields: Record<string, 1>,
  maxCandidates = REGISTRY_SEARCH_MAX_CANDIDATES,
): Promise<{ docs: T[]; truncated: boolean }> {
  const candidates = await CreditPublication.find(plan.filter)
    .setOptions({ crossTenant: true })
    .select({ ...fields, search: 1, listedAt: 1 })
    .limit(maxCandidates + 1)
    .lean<T[]>();
  const truncated = candidates.length > maxCandidates;
  const { text, codeLike } = plan.verify;
  const docs = (truncated ? candidates.slice(0, maxCandidates) : candidates)
    .filter((d) => matchesCreditQuery(d.search, text, codeLike))
    .sort(newestFirst);
  return { docs, truncated };
}
