/**
 * The credit list narrowed to the enterprises of one district, industry and/or size class (the dashboard's
 * drill-down links keep those filters). A record belongs to an enterprise by `enterpriseId`, or by
 * credit code when it was entered for a registered enterprise without the link — the same rule the
 * dashboard counts with.
 */
import type { Types } from "mongoose";
import { Enterprise } from "../../../models/enterprise";
import { normalizeForSearch } from "~/lib/credit";
import type { IndustryKey, SizeClass } from "~/lib/domain";
import type { TenantScope } from "../ids.server";

/** More enterprises than this in one district/industry is beyond one city's directory. */
export const SCOPE_LIMIT = 20_000;

export type EnterpriseScope = { enterpriseIds: Types.ObjectId[]; searchCodes: string[] };

export async function enterpriseScope({
  tenantId,
  districtCode,
  industry,
  sizeClass,
  q = "",
}: TenantScope & { districtCode?: string; industry?: IndustryKey; sizeClass?: SizeClass; q?: string }): Promise<EnterpriseScope | null> {
  if (!districtCode && !industry && !sizeClass) return null;
  const filter: Record<string, unknown> = { tenantId };
  if (districtCode) filter.districtCode = districtCode;
  if (industry) filter.industry = industry;
  if (sizeClass) filter.sizeClass = sizeClass;
  const docs = await Enterprise.find(filter, { _id: 1, creditCode: 1, name: 1 })
    .limit(SCOPE_LIMIT)
    .lean<Array<{ _id: Types.ObjectId; creditCode: string; name: string }>>();
  // A search within the scope matches the enterprise's name or code (so the records query keeps
  // one indexed shape instead of combining two $or clauses).
  const needle = normalizeForSearch(q);
  const kept = needle
    ? docs.filter((d) => normalizeForSearch(d.name).includes(needle) || normalizeForSearch(d.creditCode).startsWith(needle))
    : docs;
  return {
    enterpriseIds: kept.map((d) => d._id),
    searchCodes: kept.map((d) => normalizeForSearch(d.creditCode)),
  };
}

/** The credit-record filter clause for a scope (an empty scope matches nothing). */
export function scopeClause(scope: EnterpriseScope): Record<string, unknown> {
  return { $or: [{ enterpriseId: { $in: scope.enterpriseIds } }, { "search.code": { $in: scope.searchCodes } }] };
}
