/**
 * The credit list narrowed to the enterprises of one district, industry and/or size class (the dashboard's
 * drill-down links keep those filters). A record belongs to an enterprise by `enterpriseId`, or by
 * credit code when it was entered for a registered enterprise without the link — the same rule the
 * dashboard counts with.
 */
import type { Types } from "mongoose";
import { enterpriseRows } from "../enterprise-rows.server";
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
  // The tenant's cached enterprise rows (decision 031), not a query per request.
  const docs = (await enterpriseRows(tenantId))
    .filter((e) => (!districtCode || e.districtCode === districtCode) && (!industry || e.industry === industry) && (!sizeClass || e.sizeClass === sizeClass))
    .slice(0, SCOPE_LIMIT);
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
