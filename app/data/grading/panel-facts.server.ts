/**
 * What only the database knows about a proposed review panel (ASSIGN_REVIEWERS) or review body
 * (ASSIGN_REVIEW_BODY); the machine's pure rules (`panelProblems`) decide on these facts.
 */
import { findByIds } from "../../../models/find-by-ids";
import type { Types } from "mongoose";
import { Assessment } from "../../../models/assessment";
import { Expert } from "../../../models/expert";
import { Membership } from "../../../models/membership";
import { ReviewBody } from "../../../models/review-body";
import { minPanelSizeOf, type TenantSettings } from "../../../models/tenant";
import { User } from "../../../models/user";
import { toObjectId, type TenantScope } from "../ids.server";

export type PanelFacts = {
  eligibleReviewerIds: string[];
  inactiveReviewerIds: string[];
  enterpriseMemberIds: string[];
  declaredConflictIds: string[];
  minPanelSize: number;
  panelRotation: boolean;
  previousLeadReviewerId: string | null;
};

const str = (ids: Iterable<Types.ObjectId | string>) => [...new Set([...ids].map(String))].sort();

function objectIds(ids: readonly string[]): Types.ObjectId[] {
  return ids.flatMap((id) => {
    const oid = toObjectId(id);
    return oid ? [oid] : [];
  });
}

/** Lead of the enterprise's latest other application that had a panel; null when none. */
export async function previousLeadReviewerId({
  tenantId,
  enterpriseId,
  applicationId,
}: TenantScope & { enterpriseId: Types.ObjectId; applicationId: Types.ObjectId }): Promise<
  string | null
> {
  // One application per cycle: a handful per enterprise.
  const apps = await Assessment.find({ tenantId, enterpriseId })
    .select({ leadReviewerId: 1, submittedAt: 1, createdAt: 1 })
    .limit(200)
    .lean<
      Array<{
        _id: Types.ObjectId;
        leadReviewerId?: Types.ObjectId | null;
        submittedAt?: Date | null;
        createdAt: Date;
      }>
    >();
  const previous = apps
    .filter((a) => !a._id.equals(applicationId) && a.leadReviewerId)
    .sort(
      (a, b) =>
        (b.submittedAt ?? b.createdAt).getTime() - (a.submittedAt ?? a.createdAt).getTime(),
    )[0];
  return previous?.leadReviewerId ? String(previous.leadReviewerId) : null;
}

/** Of `userIds`, who may sit on a panel of `reviewBodyId` for this enterprise, and who not. */
export async function panelFacts({
  tenantId,
  reviewBodyId,
  enterpriseId,
  applicationId,
  userIds,
  settings,
}: TenantScope & {
  reviewBodyId: Types.ObjectId | null;
  enterpriseId: Types.ObjectId;
  applicationId: Types.ObjectId;
  userIds: readonly string[];
  settings: TenantSettings;
}): Promise<PanelFacts> {
  const ids = objectIds(userIds);
  const [experts, reviewers, users, employees, previousLead] = await Promise.all([
    ids.length === 0
      ? []
      : Expert.find({ tenantId, userId: { $in: ids } })
          .select({ userId: 1, reviewBodyId: 1, active: 1, conflictEnterpriseIds: 1 })
          .lean<
            Array<{
              userId: Types.ObjectId;
              reviewBodyId: Types.ObjectId;
              active: boolean;
              conflictEnterpriseIds: Types.ObjectId[];
            }>
          >(),
    ids.length === 0
      ? []
      : Membership.find({ tenantId, role: "reviewer", userId: { $in: ids } })
          .select({ userId: 1 })
          .lean<Array<{ userId: Types.ObjectId }>>(),
    ids.length === 0
      ? []
      : findByIds<{ _id: Types.ObjectId; disabled: boolean }>(User, ids, { select: { disabled: 1 } }),
    Membership.find({ tenantId, enterpriseId }).select({ userId: 1 }).lean<Array<{ userId: Types.ObjectId }>>(),
    previousLeadReviewerId({ tenantId, enterpriseId, applicationId }),
  ]);
  const hasReviewerRole = new Set(reviewers.map((m) => String(m.userId)));
  const enabled = new Set(users.filter((u) => !u.disabled).map((u) => String(u._id)));
  const ofBody = experts.filter((e) => reviewBodyId !== null && e.reviewBodyId.equals(reviewBodyId));
  const usable = (e: (typeof ofBody)[number]) =>
    e.active && hasReviewerRole.has(String(e.userId)) && enabled.has(String(e.userId));
  const wanted = new Set(ids.map(String));
  return {
    eligibleReviewerIds: str(ofBody.filter(usable).map((e) => e.userId)),
    inactiveReviewerIds: str(ofBody.filter((e) => !usable(e)).map((e) => e.userId)),
    enterpriseMemberIds: str(employees.map((m) => m.userId).filter((u) => wanted.has(String(u)))),
    declaredConflictIds: str(
      experts
        .filter((e) => e.conflictEnterpriseIds.some((c) => c.equals(enterpriseId)))
        .map((e) => e.userId),
    ),
    minPanelSize: minPanelSizeOf(settings),
    panelRotation: settings.panelRotation === true,
    previousLeadReviewerId: previousLead,
  };
}

/** Whether `reviewBodyId` names an active review body of this tenant. */
export async function isActiveReviewBody({
  tenantId,
  reviewBodyId,
}: TenantScope & { reviewBodyId: string }): Promise<boolean> {
  const _id = toObjectId(reviewBodyId);
  if (!_id) return false;
  const body = await ReviewBody.findOne({ tenantId, _id }).select({ active: 1 }).lean<{ active: boolean }>();
  return body?.active === true;
}

/** Experts who declared a conflict of interest with the enterprise (user ids). */
export async function declaredConflictUserIds({
  tenantId,
  enterpriseId,
}: TenantScope & { enterpriseId: Types.ObjectId }): Promise<string[]> {
  const experts = await Expert.find({ tenantId, conflictEnterpriseIds: enterpriseId })
    .select({ userId: 1 })
    .limit(1000)
    .lean<Array<{ userId: Types.ObjectId }>>();
  return str(experts.map((e) => e.userId));
}

/** The review bodies a user administers in this tenant (ids as strings). */
export async function reviewBodiesAdministeredBy({
  tenantId,
  userId,
}: TenantScope & { userId: Types.ObjectId }): Promise<string[]> {
  const bodies = await ReviewBody.find({ tenantId, adminUserIds: userId })
    .select({ _id: 1 })
    .limit(20)
    .lean<Array<{ _id: Types.ObjectId }>>();
  return str(bodies.map((b) => b._id));
}
