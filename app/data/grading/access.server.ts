/** Who may see an application and send which workflow event (tenant, role, assignment). */
import type { Types } from "mongoose";
import type { AssessmentDoc } from "../../../models/assessment";
import type { Member } from "~/auth.server";
import type { Role } from "~/lib/domain";
import { can } from "~/lib/permissions";
import { inDistrictScope } from "~/lib/district-scope";
import { EVENT_PERMISSIONS } from "~/workflows/grading-input";
import { EVENT_ROLES, type GradingEventType } from "~/workflows/grading.machine";


/** The parts of a member the workflow looks at (tests and jobs can build one without a request). */
export type GradingMember = Pick<Member, "tenantId" | "roles" | "permissions" | "enterpriseId"> & {
  user: Pick<Member["user"], "_id" | "email">;
  /** District limit (Step 12); absent or empty = the whole tenant. */
  districtCodes?: readonly string[];
  /** Review bodies the member administers (review_body_admin); loaded on demand. */
  reviewBodyIds?: string[];
};

export type EventActor =
  { kind: "member"; member: GradingMember } | { kind: "system" } | { kind: "public"; ip: string };

type Owned = Pick<AssessmentDoc, "tenantId" | "enterpriseId" | "districtCode"> & {
  reviewerIds?: Types.ObjectId[];
  reviewBodyId?: Types.ObjectId | null;
};

/**
 * Tenant-wide readers (a district-limited regulator: applications of its districts only), the
 * enterprise itself, and the reviewers assigned to it.
 */
export function canViewApplication(member: GradingMember, doc: Owned): boolean {
  if (String(member.tenantId) !== String(doc.tenantId)) return false;
  if (can(member.permissions, "read:assessment:any") && inDistrictScope({ districtCodes: member.districtCodes ?? [] }, doc.districtCode ?? ""))
    return true;
  if (
    can(member.permissions, "read:assessment:own") &&
    member.enterpriseId !== null &&
    String(member.enterpriseId) === String(doc.enterpriseId)
  ) {
    return true;
  }
  return isAssignedReviewer(member, doc) || isReviewBodyAdminOf(member, doc);
}

/** The admin of the review body the application is assigned to (forms its panel). */
export function isReviewBodyAdminOf(member: GradingMember, doc: Owned): boolean {
  return (
    can(member.permissions, "assign:panel:own") &&
    doc.reviewBodyId !== null &&
    doc.reviewBodyId !== undefined &&
    (member.reviewBodyIds ?? []).includes(String(doc.reviewBodyId))
  );
}

export function isAssignedReviewer(member: GradingMember, doc: Owned): boolean {
  return (
    can(member.permissions, "read:assessment:assigned") &&
    (doc.reviewerIds ?? []).some((id) => String(id) === String(member.user._id))
  );
}

/** The member's role for this event, if any of theirs may send it. */
export function roleFor(member: GradingMember, type: GradingEventType): Role | null {
  return member.roles.find((r) => EVENT_ROLES[type].includes(r)) ?? null;
}

/** Whether the member may send this event type at all (permission and role; state aside). */
export function memberMaySend(member: GradingMember, type: GradingEventType, doc: Owned): boolean {
  const permission = EVENT_PERMISSIONS[type];
  if (permission === null || !can(member.permissions, permission)) return false;
  if (roleFor(member, type) === null) return false;
  if (permission === "review:assessment:assigned") return isAssignedReviewer(member, doc);
  if (permission === "assign:panel:own") return isReviewBodyAdminOf(member, doc);
  if (permission === "submit:assessment:own") {
    return member.enterpriseId !== null && String(member.enterpriseId) === String(doc.enterpriseId);
  }
  return true;
}
