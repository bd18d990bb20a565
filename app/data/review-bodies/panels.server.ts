/**
 * The review body admin's panel page (组建评审组): the application, the body's experts with their
 * open reviews, who must stand aside (employee of the enterprise, declared conflict), specialty
 * warnings, and the current panel. The rules themselves are the machine's (ASSIGN_REVIEWERS).
 */
import { getTenantById } from "../tenants.server";
import type { Types } from "mongoose";
import { Enterprise } from "../../../models/enterprise";
import { Membership } from "../../../models/membership";
import { minPanelSizeOf } from "../../../models/tenant";
import type { IndustryKey } from "~/lib/domain";
import { specialtyMismatches } from "~/lib/review-bodies";
import { handledEvents } from "~/workflows/grading.machine";
import { isReviewBodyAdminOf, type GradingMember } from "../grading/access.server";
import { previousLeadReviewerId, reviewBodiesAdministeredBy } from "../grading/panel-facts.server";
import { snapshotOfApplication } from "../grading/snapshot.server";
import { toObjectId, type TenantScope } from "../ids.server";
import { getReviewBody } from "./bodies.server";
import { listExperts } from "./experts.server";
import { readAssessmentView } from "~/data/assessments/view-read.server";

/** The member with the review bodies they administer (what the workflow checks for ASSIGN_REVIEWERS). */
export async function withReviewBodyIds<M extends GradingMember>(member: M): Promise<M & { reviewBodyIds: string[] }> {
  const reviewBodyIds =
    member.reviewBodyIds ??
    (await reviewBodiesAdministeredBy({ tenantId: member.tenantId, userId: member.user._id }));
  return { ...member, reviewBodyIds };
}

export type PanelExpert = {
  userId: string;
  name: string;
  email: string;
  certificateNo: string;
  specialties: IndustryKey[];
  employer: string;
  active: boolean;
  openReviews: number;
  /** Works for the enterprise or declared a conflict: must stand aside. */
  conflicted: boolean;
  specialtyMismatch: boolean;
  previousLead: boolean;
};

export async function getPanelPage({
  tenantId,
  id,
  member,
}: TenantScope & { id: string; member: GradingMember & { reviewBodyIds: string[] } }) {
  const _id = toObjectId(id);
  if (!_id) return null;
  const doc = await readAssessmentView(tenantId, _id);
  if (!doc?.reviewBodyId || !isReviewBodyAdminOf(member, doc)) return null;
  const [tenant, enterprise, body] = await Promise.all([
    getTenantById(tenantId),
    Enterprise.findOne({ tenantId, _id: doc.enterpriseId })
      .select({ name: 1, creditCode: 1, industry: 1 })
      .lean<{ name: string; creditCode: string; industry: IndustryKey }>(),
    getReviewBody({ tenantId, id: doc.reviewBodyId }),
  ]);
  if (!tenant || !enterprise || !body) return null;
  const [experts, employees, previousLead] = await Promise.all([
    listExperts({ tenantId, reviewBodyId: body._id }),
    Membership.find({ tenantId, enterpriseId: doc.enterpriseId })
      .select({ userId: 1 })
      .lean<Array<{ userId: Types.ObjectId }>>(),
    previousLeadReviewerId({ tenantId, enterpriseId: doc.enterpriseId, applicationId: doc._id }),
  ]);
  const employeeIds = new Set(employees.map((m) => String(m.userId)));
  const mismatched = new Set(
    specialtyMismatches(
      experts.map((e) => ({ userId: String(e.userId), specialties: e.specialties })),
      enterprise.industry,
    ),
  );
  let canAssign = false;
  try {
    canAssign = handledEvents(snapshotOfApplication(doc, tenant.settings)).includes("ASSIGN_REVIEWERS");
  } catch {
    canAssign = false; // an old or damaged workflow: the application page explains it
  }
  const rows: PanelExpert[] = experts.map((e) => ({
    userId: String(e.userId),
    name: e.name,
    email: e.email,
    certificateNo: e.certificateNo,
    specialties: e.specialties,
    employer: e.employer,
    active: e.active,
    openReviews: e.openReviews,
    conflicted:
      employeeIds.has(String(e.userId)) ||
      e.conflictEnterpriseIds.some((c) => c.equals(doc.enterpriseId)),
    specialtyMismatch: mismatched.has(String(e.userId)),
    previousLead: previousLead === String(e.userId),
  }));
  return {
    id: String(doc._id),
    version: doc.version,
    cycle: doc.cycle,
    state: doc.state,
    enterpriseName: enterprise.name,
    creditCode: enterprise.creditCode,
    industry: enterprise.industry,
    reviewBody: { id: String(body._id), name: body.name },
    experts: rows,
    reviewers: (doc.reviewerIds ?? []).map(String),
    leadReviewerId: doc.leadReviewerId ? String(doc.leadReviewerId) : null,
    minPanelSize: minPanelSizeOf(tenant.settings),
    panelRotation: tenant.settings.panelRotation === true,
    canAssign,
  };
}
export type PanelPage = NonNullable<Awaited<ReturnType<typeof getPanelPage>>>;
