/**
 * Whether an enterprise may apply for grading now, and if not, why and until when (issue 17: the
 * 开始自评 form is disabled with the reason and date instead of answering 409 after a click).
 * The same three checks as the start and SUBMIT paths: a published credit listing, a revoked
 * certificate's block, a recent rejection.
 */
import type { Types } from "mongoose";
import { CreditRecord } from "../../../models/credit-record";
import type { TenantSettings } from "../../../models/tenant";
import { isBlockedFromApplying } from "../certificates/status.server";
import { isCreditListedForDisplay } from "../credit-check.server";
import { enterpriseCreditCode } from "../enterprise-master/credit-code.server";
import { isBlockedAfterRejection } from "../grading/rejection-block.server";
import type { TenantScope } from "../ids.server";

export type ApplicationBar =
  | { kind: "creditListed"; until: string | null; name: string; href: string }
  | { kind: "revoked"; until: string; name: string; href: string }
  | { kind: "rejected"; until: string; name: string; href: string };

export async function applicationBar({
  tenantId,
  slug,
  enterpriseId,
  settings,
  now,
}: TenantScope & {
  slug: string;
  enterpriseId: Types.ObjectId;
  settings: Pick<TenantSettings, "reapplyAfterRejectionMonths">;
  now: Date;
}): Promise<ApplicationBar | null> {
  const base = `/t/${slug}`;
  const listing = await isCreditListedForDisplay({
    tenantId,
    enterpriseId,
    creditCode: (await enterpriseCreditCode({ tenantId, enterpriseId })) ?? "",
  });
  if (listing) {
    const record = await CreditRecord.findOne({ tenantId, _id: listing.recordId })
      .select({ endsAt: 1 })
      .lean<{ endsAt: Date | null }>();
    return {
      kind: "creditListed",
      until: record?.endsAt?.toISOString() ?? null,
      name: listing.name,
      href: `${base}/credit/${listing.recordId}`,
    };
  }
  const revoked = await isBlockedFromApplying({ tenantId, enterpriseId, now });
  if (revoked.blocked)
    return {
      kind: "revoked",
      until: revoked.until.toISOString(),
      name: revoked.number,
      href: `${base}/certificates/${revoked.certificateId}`,
    };
  const rejected = await isBlockedAfterRejection({ tenantId, enterpriseId, settings, now });
  if (rejected.blocked)
    return {
      kind: "rejected",
      until: rejected.until.toISOString(),
      name: rejected.cycle,
      href: `${base}/applications/${rejected.applicationId}`,
    };
  return null;
}
