/**
 * The tenant's credit records as slim rows, most recently changed first, cached per process under
 * the tenant's credit-record stamp (decision 031). The regulator's and the enterprise's credit list,
 * its year options and the enterprise page's panel filter these instead of querying: FerretDB would
 * decode every record of the tenant for the sort, the count, the `$or`/`$regex` search and the
 * `distinct("listedYear")`.
 */
import type { Types } from "mongoose";
import { CreditRecord, type CreditRecordDoc } from "../../../models/credit-record";
import { compareText } from "~/lib/lists/rows";
import { logger } from "~/logger.server";
import { cachedTenantRows } from "../tenant-list-cache.server";

export const CREDIT_ROW_FIELDS = {
  enterpriseId: 1,
  subjectName: 1,
  penaltyDecisionNo: 1,
  creditCode: 1,
  subjectType: 1,
  listType: 1,
  conditionKey: 1,
  state: 1,
  status: 1,
  defenceDeadline: 1,
  listedAt: 1,
  endsAt: 1,
  removalReason: 1,
  updatedAt: 1,
  listedYear: 1,
  search: 1,
} as const;

export type CreditRow = Pick<CreditRecordDoc, "_id" | "enterpriseId" | "subjectName" | "penaltyDecisionNo" | "creditCode" | "subjectType" | "listType" | "conditionKey" | "state" | "status" | "defenceDeadline" | "listedAt" | "endsAt" | "removalReason" | "updatedAt" | "listedYear" | "search">;

/** Far beyond one city's records (≈ 1,000): a bound on the one read. */
export const CREDIT_ROWS_MAX = 100_000;

function latestFirst(a: CreditRow, b: CreditRow): number {
  return b.updatedAt.getTime() - a.updatedAt.getTime() || compareText(String(b._id), String(a._id));
}

async function loadCreditRows(tenantId: Types.ObjectId): Promise<CreditRow[]> {
  const rows = await CreditRecord.find({ tenantId }).select(CREDIT_ROW_FIELDS).limit(CREDIT_ROWS_MAX).lean<CreditRow[]>();
  if (rows.length >= CREDIT_ROWS_MAX) logger.warn({ tenantId: String(tenantId) }, "credit rows cut at CREDIT_ROWS_MAX");
  for (const r of rows) {
    r.enterpriseId ??= null;
    r.listedYear ??= null;
  }
  return rows.sort(latestFirst);
}

/** The tenant's credit-record rows, most recently changed first (shared: do not mutate). */
export async function creditRows(tenantId: Types.ObjectId): Promise<readonly CreditRow[]> {
  return cachedTenantRows("credit-records", String(tenantId), () => loadCreditRows(tenantId));
}
