/**
 * A rejected application keeps the enterprise from applying again for
 * `settings.reapplyAfterRejectionMonths` (default 12; 0 turns it off), like a revoked
 * certificate does (certificates.server.ts `isBlockedFromApplying`). The period runs from the
 * rejection and follows the tenant's current setting.
 */
import type { Types } from "mongoose";
import { Assessment } from "../../../models/assessment";
import type { TenantSettings } from "../../../models/tenant";
import { addMonths } from "~/lib/certificate";
import type { TenantScope } from "../ids.server";

export const DEFAULT_REAPPLY_AFTER_REJECTION_MONTHS = 12;

export type RejectionBlock =
  | { blocked: false }
  | { blocked: true; until: Date; applicationId: string; cycle: string };

export function reapplyAfterRejectionMonths(
  settings: Pick<TenantSettings, "reapplyAfterRejectionMonths">,
): number {
  return settings.reapplyAfterRejectionMonths ?? DEFAULT_REAPPLY_AFTER_REJECTION_MONTHS;
}

/** The latest rejection of the enterprise that still bars it from applying at `now`, if any. */
export async function isBlockedAfterRejection({
  tenantId,
  enterpriseId,
  settings,
  now,
}: TenantScope & {
  enterpriseId: Types.ObjectId;
  settings: Pick<TenantSettings, "reapplyAfterRejectionMonths">;
  now: Date;
}): Promise<RejectionBlock> {
  const months = reapplyAfterRejectionMonths(settings);
  if (months <= 0) return { blocked: false };
  // An enterprise has one application per cycle, so its rejected ones are few.
  const rejected = await Assessment.find({ tenantId, enterpriseId, state: "rejected" })
    .select({ rejectedAt: 1, updatedAt: 1, cycle: 1 })
    .limit(100)
    .lean<Array<{ _id: Types.ObjectId; rejectedAt?: Date | null; updatedAt: Date; cycle: string }>>();
  let latest: RejectionBlock = { blocked: false };
  for (const app of rejected) {
    // Applications rejected before Step 10 have no rejectedAt: their last change was the rejection.
    const until = addMonths(app.rejectedAt ?? app.updatedAt, months);
    if (until.getTime() <= now.getTime()) continue;
    if (!latest.blocked || until > latest.until)
      latest = { blocked: true, until, applicationId: String(app._id), cycle: app.cycle };
  }
  return latest;
}
