/**
 * Whether an enterprise is on a work-safety credit list (失信/黑名单, DOMAIN.md §7): a PUBLISHED
 * record of the tenant linked to the enterprise or carrying its credit code. A listed enterprise
 * cannot start an assessment or a renewal, and SUBMIT is refused with "credit-listed".
 * Removed records (expired or repaired) no longer block.
 *
 * Kept free of the workflow modules so the enterprise and registration code can call
 * `linkCreditRecordsToEnterprise` without an import cycle.
 */
import type { Types } from "mongoose";
import { CreditRecord } from "../../models/credit-record";
import { normalizeForSearch } from "~/lib/credit";
import type { CreditListing } from "~/workflows/grading.machine";
import { casUpdate } from "./cas.server";
import { creditRows } from "./credit/list-rows.server";
import type { TenantScope } from "./ids.server";

/** How a record is named in messages and in other records' histories. */
export function creditListingName(doc: {
  subjectName: string;
  penaltyDecisionNo?: string;
}): string {
  return doc.penaltyDecisionNo ? `${doc.subjectName}（${doc.penaltyDecisionNo}）` : doc.subjectName;
}

type ListingDoc = { _id: Types.ObjectId; subjectName: string; penaltyDecisionNo?: string; listedAt: Date | null };

/** The earliest listing among an enterprise's published records (ties: the smaller `_id`). */
function earliestListing(docs: readonly ListingDoc[]): CreditListing | null {
  const at = (d: ListingDoc) => d.listedAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const doc = docs.reduce<ListingDoc | undefined>(
    (best, d) => (!best || at(d) < at(best) || (at(d) === at(best) && String(d._id) < String(best._id)) ? d : best),
    undefined,
  );
  return doc ? { recordId: String(doc._id), name: creditListingName(doc) } : null;
}

/** The workflow's gate (start, SUBMIT): read from the records themselves. */
export async function isCreditListed({
  tenantId,
  enterpriseId,
  creditCode,
}: TenantScope & {
  enterpriseId: Types.ObjectId | null;
  creditCode: string;
}): Promise<CreditListing | null> {
  const or: Record<string, unknown>[] = [];
  if (enterpriseId) or.push({ enterpriseId });
  const code = normalizeForSearch(creditCode);
  if (code) or.push({ "search.code": code });
  if (or.length === 0) return null;
  // An enterprise has a handful of records: the earliest listing is picked here, so the query needs
  // only the (tenantId, enterpriseId) and (tenantId, search.code) indexes (decision 011).
  const docs = await CreditRecord.find({ tenantId, status: "published", $or: or })
    .select({ subjectName: 1, penaltyDecisionNo: 1, listedAt: 1 })
    .limit(100)
    .lean<ListingDoc[]>();
  return earliestListing(docs);
}

/**
 * The same answer for display (the enterprise's home bar), from the tenant's cached credit rows
 * (decision 031: current as of this request's stamp read). FerretDB pushes no `$or` down, so the
 * query above decodes every published record of the tenant: ≈ 180 ms per home page at 1,000.
 */
export async function isCreditListedForDisplay({
  tenantId,
  enterpriseId,
  creditCode,
}: TenantScope & { enterpriseId: Types.ObjectId | null; creditCode: string }): Promise<CreditListing | null> {
  const code = normalizeForSearch(creditCode);
  if (!enterpriseId && !code) return null;
  const rows = (await creditRows(tenantId)).filter(
    (r) => r.status === "published" && ((enterpriseId && r.enterpriseId?.equals(enterpriseId)) || (code && r.search.code === code)),
  );
  return earliestListing(rows.map((r) => ({ ...r, listedAt: r.listedAt ?? null })));
}

/**
 * Links the tenant's records with this credit code to a newly registered enterprise ("now or
 * later", issue 7). Safe to repeat; a record that moves meanwhile is retried a few times.
 */
export async function linkCreditRecordsToEnterprise({
  tenantId,
  enterpriseId,
  creditCode,
}: TenantScope & { enterpriseId: Types.ObjectId; creditCode: string }): Promise<number> {
  const code = normalizeForSearch(creditCode);
  if (!code) return 0;
  let linked = 0;
  const docs = await CreditRecord.find({ tenantId, "search.code": code })
    .select({ enterpriseId: 1, version: 1 })
    .lean<Array<{ _id: Types.ObjectId; enterpriseId: Types.ObjectId | null; version: number }>>();
  for (const doc of docs) {
    let current: { enterpriseId: Types.ObjectId | null; version: number } | null = doc;
    for (let attempt = 0; attempt < 5 && current; attempt++) {
      if (current.enterpriseId?.equals(enterpriseId)) break;
      const won = await casUpdate(
        CreditRecord,
        { _id: doc._id, tenantId, expectedVersion: current.version },
        { $set: { enterpriseId } },
      );
      if (won) {
        linked += 1;
        break;
      }
      current = await CreditRecord.findOne({ tenantId, _id: doc._id })
        .select({ enterpriseId: 1, version: 1 })
        .lean<{ enterpriseId: Types.ObjectId | null; version: number }>();
    }
  }
  return linked;
}
