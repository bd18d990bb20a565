/**
 * Whether an enterprise is on a work-safety credit list (失信/黑名单, DOMAIN.md §7). A listed
 * enterprise cannot apply for grading: SUBMIT is refused with "credit-listed".
 *
 * Hook for Step 6 (credit lists), which replaces the body with a lookup of the published records
 * by credit code (and enterprise id once linked). Until then nobody is listed.
 */
import type { Types } from "mongoose";
import type { CreditListing } from "~/workflows/grading.machine";
import type { TenantScope } from "./ids.server";

export async function isCreditListed(
  _input: TenantScope & {
    enterpriseId: Types.ObjectId;
    creditCode: string;
  },
): Promise<CreditListing | null> {
  return null;
}
