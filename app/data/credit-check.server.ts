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
import type { TenantScope } from "./ids.server";

/** How a record is named in messages and in other records' histories. */
export function creditListingName(doc: {
  subjectName: string;
  penaltyDecisionNo?: string;
}): string {
  return doc.penaltyDecisionNo ? `${doc.subjectName}（${doc.penaltyDecisionNo}）` : doc.subjectName;
}

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
    .lean<Array<{ _id: Types.ObjectId; subjectName: string; penaltyDecisionNo: string; listedAt: Date | null }>>();
  const at = (d: (typeof docs)[number]) => d.listedAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const doc = docs.reduce<(typeof docs)[number] | undefined>(
    (best, d) =>
      !best || at(d) < at(best) || (at(d) === at(best) && String(d._id) < String(best._id)) ? d : best,
    undefined,
  );
  return doc ? { recordId: String(doc._id), name: creditListingName(doc) } : null;
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
