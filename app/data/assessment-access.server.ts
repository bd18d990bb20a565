/**
 * Who may see and who may change one assessment. Used by the evidence routes and the PDF report
 * (and usable by any other assessment route). An assessment the member may not see is reported
 * exactly like one that does not exist, so ids of other enterprises do not leak.
 */
import type { ProjectionType, Types } from "mongoose";
import { Assessment, type AssessmentDoc } from "../../models/assessment";
import type { Member } from "~/auth.server";
import { connectDb } from "~/db.server";
import { can } from "~/lib/permissions";
import { inDistrictScope } from "~/lib/district-scope";
import { toObjectId, type TenantScope } from "./ids.server";

/** The parts of a member these checks look at (tests and jobs can build one without a request). */
export type AssessmentActor = Pick<Member, "tenantId" | "enterpriseId" | "permissions"> & {
  user: Pick<Member["user"], "_id" | "email">;
  /** District limit (Step 12); absent or empty = the whole tenant. */
  districtCodes?: readonly string[];
};

type Owned = Pick<AssessmentDoc, "tenantId" | "enterpriseId" | "reviewerIds" | "districtCode">;

function isOwnEnterprise(actor: AssessmentActor, doc: Owned): boolean {
  return actor.enterpriseId !== null && String(actor.enterpriseId) === String(doc.enterpriseId);
}

export function canReadAssessment(actor: AssessmentActor, doc: Owned): boolean {
  if (String(actor.tenantId) !== String(doc.tenantId)) return false;
  if (can(actor.permissions, "read:assessment:any") && inDistrictScope({ districtCodes: actor.districtCodes ?? [] }, doc.districtCode ?? ""))
    return true;
  if (can(actor.permissions, "read:assessment:own") && isOwnEnterprise(actor, doc)) return true;
  // Reviewers see the applications they are assigned to (the grading workflow records them).
  return (
    can(actor.permissions, "read:assessment:assigned") &&
    (doc.reviewerIds ?? []).some((id) => String(id) === String(actor.user._id))
  );
}

/** Enterprise-side changes (answers, evidence): own enterprise, update permission, still a draft. */
export function canEditAssessment(
  actor: AssessmentActor,
  doc: Owned & Pick<AssessmentDoc, "state">,
): boolean {
  return (
    String(actor.tenantId) === String(doc.tenantId) &&
    can(actor.permissions, "update:assessment:own") &&
    isOwnEnterprise(actor, doc) &&
    doc.state === "draft"
  );
}

/**
 * The assessment if it exists in this tenant and the actor may see it, else null (→ 404).
 * `projection` keeps large arrays (answers, history) out of requests that do not need them.
 */
export async function findVisibleAssessment<K extends keyof AssessmentDoc = keyof AssessmentDoc>({
  tenantId,
  id,
  actor,
  fields,
}: TenantScope & {
  id: string | Types.ObjectId;
  actor: AssessmentActor;
  fields?: readonly K[];
}): Promise<Pick<
  AssessmentDoc,
  K | "_id" | "tenantId" | "enterpriseId" | "state" | "version"
> | null> {
  const _id = typeof id === "string" ? toObjectId(id) : id;
  if (!_id) return null;
  await connectDb();
  let projection: ProjectionType<AssessmentDoc> | undefined;
  if (fields) {
    const p: Record<string, 1> = { tenantId: 1, enterpriseId: 1, state: 1, version: 1, reviewerIds: 1, districtCode: 1 };
    for (const f of fields) p[f] = 1;
    projection = p;
  }
  const doc = await Assessment.findOne({ _id, tenantId }, projection).lean<
    Pick<AssessmentDoc, K | "_id" | "tenantId" | "enterpriseId" | "state" | "version">
  >();
  if (!doc || !canReadAssessment(actor, doc)) return null;
  return doc;
}
