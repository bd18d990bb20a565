/**
 * What publishing a credit-list record will do to the subject's grading (issue 17): the running
 * applications that CREDIT_LISTED stops and the certificates that are suspended or revoked, counted
 * with the same selection as carryOutCreditEffects (credit-records.server.ts) applies after PUBLISH.
 * Shown in the publish confirmation before anything happens.
 */
import type { Types } from "mongoose";
import { Assessment } from "../../../models/assessment";
import { Certificate } from "../../../models/certificate";
import { Enterprise } from "../../../models/enterprise";
import { activeStates } from "~/workflows/grading.machine";
import type { TenantScope } from "../ids.server";

export type PublishImpact = {
  /** null: the subject is not a registered enterprise of the tenant (nothing else is affected). */
  enterpriseId: string | null;
  applications: number;
  certificates: number;
  certificateEffect: "suspend" | "revoke";
};

export async function publishImpact({
  tenantId,
  record,
  certificateEffect,
}: TenantScope & {
  record: { enterpriseId: Types.ObjectId | null; creditCode: string };
  certificateEffect: "suspend" | "revoke";
}): Promise<PublishImpact> {
  const enterpriseId =
    record.enterpriseId ??
    (await Enterprise.findOne({ tenantId, creditCode: record.creditCode }).select({ _id: 1 }).lean<{ _id: Types.ObjectId }>())?._id ??
    null;
  if (!enterpriseId) return { enterpriseId: null, applications: 0, certificates: 0, certificateEffect };
  const [apps, certificates] = await Promise.all([
    // An enterprise has one application per cycle: a handful of documents.
    Assessment.find({ tenantId, enterpriseId }).select({ state: 1 }).limit(200).lean<Array<{ state: string }>>(),
    Certificate.countDocuments({
      tenantId,
      enterpriseId,
      status: { $in: certificateEffect === "revoke" ? ["active", "suspended"] : ["active"] },
    }),
  ]);
  const applications = apps.filter((a) => activeStates.some((s) => s === (a.state.split(".")[0] ?? ""))).length;
  return { enterpriseId: String(enterpriseId), applications, certificates, certificateEffect };
}
