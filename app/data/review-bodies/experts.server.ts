/**
 * The expert register (评审员) of a review body. An expert is a user account with the reviewer
 * role in this tenant, linked to exactly one body by an Expert record (userId + reviewBodyId).
 */
import { randomBytes } from "node:crypto";
import type { Types } from "mongoose";
import { Assessment } from "../../../models/assessment";
import { Enterprise } from "../../../models/enterprise";
import { Expert, type ExpertDoc } from "../../../models/expert";
import { Membership } from "../../../models/membership";
import { User } from "../../../models/user";
import type { ExpertInput } from "~/lib/review-bodies";
import { recordAudit } from "../audit.server";
import { toObjectId, type TenantScope } from "../ids.server";
import { isDuplicateKeyError } from "../mongo-errors.server";
import { enqueueEmail } from "../outbox.server";
import { hashPassword } from "../passwords.server";
import type { Actor } from "./bodies.server";

export type ExpertRow = Pick<
  ExpertDoc,
  | "_id"
  | "userId"
  | "reviewBodyId"
  | "name"
  | "certificateNo"
  | "specialties"
  | "employer"
  | "phone"
  | "email"
  | "active"
  | "conflictEnterpriseIds"
>;
export const EXPERT_PAGE_SIZE = 100;

/** Review states in which an expert's assignment is still open (counts toward their workload). */
export const OPEN_REVIEW_STATES = [
  "reviewAssigned",
  "underReview.reviewing",
  "underReview.rectification",
] as const;

export type RegisterExpertError = "duplicateCertificate" | "otherBody" | "alreadyExpert";

type Tenant = { _id: Types.ObjectId; slug: string; name: string };

/**
 * The account with this email, or a new one without a usable password (its owner sets one with
 * "forgot password"; the registration mail says so).
 */
export async function ensureAccount({
  email,
  name,
}: {
  email: string;
  name: string;
}): Promise<{ userId: Types.ObjectId; locale: "zh-CN" | "en"; created: boolean }> {
  const found = await User.findOne({ email })
    .select({ _id: 1, locale: 1 })
    .lean<{ _id: Types.ObjectId; locale: "zh-CN" | "en" }>();
  if (found) return { userId: found._id, locale: found.locale, created: false };
  try {
    const doc = await User.create({
      email,
      name,
      passwordHash: await hashPassword(randomBytes(32).toString("base64url")),
    });
    return { userId: doc._id, locale: doc.locale, created: true };
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    return ensureAccount({ email, name }); // created meanwhile by someone else
  }
}

/**
 * Registers an expert of `reviewBodyId`: finds the account by email or creates one (without a
 * usable password: the mail asks the expert to set one with "forgot password"), gives it the
 * reviewer role here, and links it to the body.
 */
export async function registerExpert({
  tenant,
  reviewBodyId,
  input,
  actor,
  now = new Date(),
}: {
  tenant: Tenant;
  reviewBodyId: Types.ObjectId;
  input: ExpertInput;
  actor: Actor | null;
  now?: Date;
}): Promise<{ ok: true; id: Types.ObjectId; userId: Types.ObjectId } | { ok: false; error: RegisterExpertError }> {
  const tenantId = tenant._id;
  const taken = await Expert.findOne({ tenantId, certificateNo: input.certificateNo })
    .select({ _id: 1 })
    .lean();
  if (taken) return { ok: false, error: "duplicateCertificate" };
  const existingUser = await User.findOne({ email: input.email })
    .select({ _id: 1 })
    .lean<{ _id: Types.ObjectId }>();
  if (existingUser) {
    const existing = await Expert.findOne({ tenantId, userId: existingUser._id })
      .select({ reviewBodyId: 1 })
      .lean<{ reviewBodyId: Types.ObjectId }>();
    if (existing)
      return {
        ok: false,
        error: existing.reviewBodyId.equals(reviewBodyId) ? "alreadyExpert" : "otherBody",
      };
  }
  const { userId: accountId, locale, created } = await ensureAccount({ email: input.email, name: input.name });
  const user = { _id: accountId, locale };
  return linkExpert({ tenant, reviewBodyId, userId: user._id, locale: user.locale, created, input, actor, now });
}

async function linkExpert({
  tenant,
  reviewBodyId,
  userId,
  locale,
  created,
  input,
  actor,
  now,
}: {
  tenant: Tenant;
  reviewBodyId: Types.ObjectId;
  userId: Types.ObjectId;
  locale: "zh-CN" | "en";
  created: boolean;
  input: ExpertInput;
  actor: Actor | null;
  now: Date;
}): Promise<{ ok: true; id: Types.ObjectId; userId: Types.ObjectId } | { ok: false; error: RegisterExpertError }> {
  const tenantId = tenant._id;
  let expert;
  try {
    expert = await Expert.create({ tenantId, reviewBodyId, userId, ...input, createdBy: actor?.id ?? null });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const again = await Expert.findOne({ tenantId, userId }).select({ _id: 1 }).lean();
    return { ok: false, error: again ? "otherBody" : "duplicateCertificate" };
  }
  await Membership.updateOne(
    { tenantId, userId, role: "reviewer", enterpriseId: null },
    { $setOnInsert: { createdBy: actor?.id ?? null } },
    { upsert: true },
  );
  await enqueueEmail({
    tenantId,
    idempotencyKey: `expert-registered:${String(expert._id)}`,
    template: "expert-registered",
    to: input.email,
    locale,
    data: {
      tenantName: tenant.name,
      name: input.name,
      role: "expert",
      newAccount: created,
      path: created ? `/t/${tenant.slug}/forgot-password` : `/t/${tenant.slug}/login`,
    },
    now,
  });
  await recordAudit({
    tenantId,
    action: "expert.registered",
    actor,
    target: { type: "expert", id: String(expert._id), label: input.name },
    details: { reviewBodyId: String(reviewBodyId), certificateNo: input.certificateNo, newAccount: created },
    at: now,
  });
  return { ok: true, id: expert._id, userId };
}

/** A body's experts (one bounded page, by name) with their open review assignments. */
export async function listExperts({
  tenantId,
  reviewBodyId,
  page = 1,
}: TenantScope & { reviewBodyId: Types.ObjectId; page?: number }): Promise<
  Array<ExpertRow & { openReviews: number }>
> {
  const experts = await Expert.find({ tenantId, reviewBodyId })
    .sort({ name: 1, _id: 1 })
    .skip((page - 1) * EXPERT_PAGE_SIZE)
    .limit(EXPERT_PAGE_SIZE)
    .select({ tenantId: 0, createdBy: 0, createdAt: 0, updatedAt: 0 })
    .lean<ExpertRow[]>();
  const counts = await openReviewCounts({ tenantId, userIds: experts.map((e) => e.userId) });
  return experts.map((e) => ({ ...e, openReviews: counts.get(String(e.userId)) ?? 0 }));
}

/** Open review assignments per user (applications in review states listing them as reviewer). */
export async function openReviewCounts({
  tenantId,
  userIds,
}: TenantScope & { userIds: Types.ObjectId[] }): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  // One query per expert on the { tenantId, reviewerIds } index; a page holds ≤ 100 experts.
  await Promise.all(
    userIds.map(async (userId) => {
      const n = await Assessment.countDocuments({
        tenantId,
        reviewerIds: userId,
        state: { $in: [...OPEN_REVIEW_STATES] },
      });
      counts.set(String(userId), n);
    }),
  );
  return counts;
}

export async function getExpert({
  tenantId,
  id,
}: TenantScope & { id: string }): Promise<ExpertRow | null> {
  const _id = toObjectId(id);
  if (!_id) return null;
  return Expert.findOne({ tenantId, _id })
    .select({ tenantId: 0, createdBy: 0, createdAt: 0, updatedAt: 0 })
    .lean<ExpertRow>();
}

/** (De)activates an expert of the given body; false when no such expert. */
export async function setExpertActive({
  tenantId,
  reviewBodyId,
  id,
  active,
  actor,
}: TenantScope & { reviewBodyId: Types.ObjectId; id: string; active: boolean; actor: Actor }): Promise<boolean> {
  const _id = toObjectId(id);
  if (!_id) return false;
  const result = await Expert.updateOne({ tenantId, _id, reviewBodyId }, { $set: { active } });
  if (result.matchedCount === 0) return false;
  await recordAudit({
    tenantId,
    action: active ? "expert.activated" : "expert.deactivated",
    actor,
    target: { type: "expert", id },
  });
  return true;
}

/** Records a declared conflict of interest of an expert with an enterprise (by credit code). */
export async function declareConflict({
  tenantId,
  reviewBodyId,
  id,
  creditCode,
  actor,
}: TenantScope & {
  reviewBodyId: Types.ObjectId;
  id: string;
  creditCode: string;
  actor: Actor;
}): Promise<{ ok: true } | { ok: false; error: "notFound" | "enterpriseNotFound" }> {
  const _id = toObjectId(id);
  if (!_id) return { ok: false, error: "notFound" };
  const enterprise = await Enterprise.findOne({ tenantId, creditCode })
    .select({ _id: 1, name: 1 })
    .lean<{ _id: Types.ObjectId; name: string }>();
  if (!enterprise) return { ok: false, error: "enterpriseNotFound" };
  const result = await Expert.updateOne(
    { tenantId, _id, reviewBodyId },
    { $addToSet: { conflictEnterpriseIds: enterprise._id } },
  );
  if (result.matchedCount === 0) return { ok: false, error: "notFound" };
  await recordAudit({
    tenantId,
    action: "expert.conflictDeclared",
    actor,
    target: { type: "expert", id, label: enterprise.name },
    details: { enterpriseId: String(enterprise._id) },
  });
  return { ok: true };
}

/** The expert record of a user in this tenant (a reviewer may have none: not registered by a body). */
export async function expertOfUser({
  tenantId,
  userId,
}: TenantScope & { userId: Types.ObjectId }): Promise<ExpertRow | null> {
  return Expert.findOne({ tenantId, userId })
    .select({ tenantId: 0, createdBy: 0, createdAt: 0, updatedAt: 0 })
    .lean<ExpertRow>();
}

/** Names of the enterprises an expert stands aside for. */
export async function conflictEnterpriseNames({
  tenantId,
  enterpriseIds,
}: TenantScope & { enterpriseIds: Types.ObjectId[] }): Promise<Array<{ name: string; creditCode: string }>> {
  const rows = await Promise.all(
    enterpriseIds.slice(0, 100).map((_id) =>
      Enterprise.findOne({ tenantId, _id })
        .select({ name: 1, creditCode: 1 })
        .lean<{ name: string; creditCode: string }>(),
    ),
  );
  return rows.flatMap((r) => (r ? [{ name: r.name, creditCode: r.creditCode }] : []));
}
