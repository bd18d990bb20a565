/** Review bodies (评审单位) of a tenant: register, list, (de)activate, name their admins. */
import type { Types } from "mongoose";
import { Membership } from "../../../models/membership";
import { ReviewBody, type ReviewBodyDoc } from "../../../models/review-body";
import type { ReviewBodyInput } from "~/lib/review-bodies";
import { recordAudit } from "../audit.server";
import { toObjectId, type TenantScope } from "../ids.server";
import { isDuplicateKeyError } from "../mongo-errors.server";
import { enqueueEmail } from "../outbox.server";
import { ensureAccount } from "./experts.server";

export type Actor = { id: Types.ObjectId; email: string };
export type ReviewBodyRow = Pick<
  ReviewBodyDoc,
  | "_id"
  | "name"
  | "creditCode"
  | "contactName"
  | "contactPhone"
  | "contactEmail"
  | "qualificationNote"
  | "active"
  | "adminUserIds"
>;
export const REVIEW_BODY_PAGE_SIZE = 50;

export async function createReviewBody({
  tenantId,
  input,
  actor,
}: TenantScope & { input: ReviewBodyInput; actor: Actor }): Promise<
  { ok: true; id: Types.ObjectId } | { ok: false; error: "duplicate" }
> {
  try {
    const body = await ReviewBody.create({ tenantId, ...input, createdBy: actor.id });
    await recordAudit({
      tenantId,
      action: "reviewBody.created",
      actor,
      target: { type: "reviewBody", id: String(body._id), label: input.name },
      details: { creditCode: input.creditCode },
    });
    return { ok: true, id: body._id };
  } catch (error) {
    if (isDuplicateKeyError(error)) return { ok: false, error: "duplicate" };
    throw error;
  }
}

/** One bounded page, by name. */
export async function listReviewBodies({
  tenantId,
  page = 1,
  activeOnly = false,
}: TenantScope & { page?: number; activeOnly?: boolean }): Promise<ReviewBodyRow[]> {
  const rows = await ReviewBody.find({ tenantId })
    .sort({ name: 1, _id: 1 })
    .skip((page - 1) * REVIEW_BODY_PAGE_SIZE)
    .limit(REVIEW_BODY_PAGE_SIZE)
    .select({ tenantId: 0, createdBy: 0, createdAt: 0, updatedAt: 0 })
    .lean<ReviewBodyRow[]>();
  return activeOnly ? rows.filter((r) => r.active) : rows;
}

export async function getReviewBody({
  tenantId,
  id,
}: TenantScope & { id: string | Types.ObjectId }): Promise<ReviewBodyRow | null> {
  const _id = typeof id === "string" ? toObjectId(id) : id;
  if (!_id) return null;
  return ReviewBody.findOne({ tenantId, _id })
    .select({ tenantId: 0, createdBy: 0, createdAt: 0, updatedAt: 0 })
    .lean<ReviewBodyRow>();
}

export async function setReviewBodyActive({
  tenantId,
  id,
  active,
  actor,
}: TenantScope & { id: string; active: boolean; actor: Actor }): Promise<boolean> {
  const _id = toObjectId(id);
  if (!_id) return false;
  // A plain flag set (no compare-and-set needed: the last decision wins, both are audited).
  const result = await ReviewBody.updateOne({ tenantId, _id }, { $set: { active } });
  if (result.matchedCount === 0) return false;
  await recordAudit({
    tenantId,
    action: active ? "reviewBody.activated" : "reviewBody.deactivated",
    actor,
    target: { type: "reviewBody", id },
  });
  return true;
}

/** Makes a user an admin of the body: the review_body_admin role here and a place in adminUserIds. */
export async function addReviewBodyAdmin({
  tenantId,
  reviewBodyId,
  userId,
  actor,
}: TenantScope & {
  reviewBodyId: Types.ObjectId;
  userId: Types.ObjectId;
  actor: Actor | null;
}): Promise<void> {
  await Membership.updateOne(
    { tenantId, userId, role: "review_body_admin", enterpriseId: null },
    { $setOnInsert: { createdBy: actor?.id ?? null } },
    { upsert: true },
  );
  await ReviewBody.updateOne({ tenantId, _id: reviewBodyId }, { $addToSet: { adminUserIds: userId } });
  await recordAudit({
    tenantId,
    action: "reviewBody.adminAdded",
    actor,
    target: { type: "reviewBody", id: String(reviewBodyId) },
    details: { userId: String(userId) },
  });
}

/** Adds an admin by email (an account is created when none exists) and tells them by mail. */
export async function addReviewBodyAdminByEmail({
  tenant,
  reviewBodyId,
  email,
  name,
  actor,
  now = new Date(),
}: {
  tenant: { _id: Types.ObjectId; slug: string; name: string };
  reviewBodyId: string;
  email: string;
  name: string;
  actor: Actor;
  now?: Date;
}): Promise<boolean> {
  const body = await getReviewBody({ tenantId: tenant._id, id: reviewBodyId });
  if (!body) return false;
  const account = await ensureAccount({ email, name });
  await addReviewBodyAdmin({ tenantId: tenant._id, reviewBodyId: body._id, userId: account.userId, actor });
  await enqueueEmail({
    tenantId: tenant._id,
    idempotencyKey: `review-body-admin:${String(body._id)}:${String(account.userId)}`,
    template: "expert-registered",
    to: email,
    locale: account.locale,
    data: {
      tenantName: tenant.name,
      name,
      role: "bodyAdmin",
      newAccount: account.created,
      path: account.created ? `/t/${tenant.slug}/forgot-password` : `/t/${tenant.slug}/login`,
    },
    now,
  });
  return true;
}

/** The active review bodies a user administers here (for the body admin's pages). */
export async function bodiesOfAdmin({
  tenantId,
  userId,
}: TenantScope & { userId: Types.ObjectId }): Promise<ReviewBodyRow[]> {
  const rows = await ReviewBody.find({ tenantId, adminUserIds: userId })
    .limit(20)
    .select({ tenantId: 0, createdBy: 0, createdAt: 0, updatedAt: 0 })
    .lean<ReviewBodyRow[]>();
  return rows.sort((a, b) => a.name.localeCompare(b.name, "zh-CN"));
}
