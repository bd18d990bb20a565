/**
 * Password reset by email link. The request never tells whether an account exists (same answer,
 * and the per-address limit is silent); the token is stored hashed with an expiry; using it is a
 * claim (single use even with two concurrent submissions); a reset ends every session of the user.
 */
import type { Types } from "mongoose";
import { Membership } from "../../models/membership";
import { PasswordReset } from "../../models/password-reset";
import { User, type UserDoc } from "../../models/user";
import { clearLoginLimits } from "~/auth.server";
import { getEnv } from "~/env.server";
import type { Locale } from "~/i18n";
import { passwordMatchesEmail } from "~/lib/validation";
import { recordAudit } from "./audit.server";
import { claimOnce } from "./cas.server";
import { enqueueEmail } from "./outbox.server";
import { isDuplicateKeyError } from "./mongo-errors.server";
import { hashPassword, verifyPassword } from "./passwords.server";
import { hitRateLimit } from "./rate-limit.server";
import { deleteUserSessions, hashToken, newToken } from "./sessions.server";

export const RESET_TTL_MS = 60 * 60 * 1000;
/** Requests per IP, and emails per address, per window. */
export const RESET_LIMITS = { windowMs: 60 * 60 * 1000, perIp: 10, perEmail: 3 } as const;

type Tenant = { _id: Types.ObjectId; slug: string };

/** Two first hits of a window may race on the counter's upsert; the second try counts. */
async function hit(key: string, limit: number, now: Date) {
  try {
    return await hitRateLimit(key, limit, RESET_LIMITS.windowMs, now.getTime());
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    return hitRateLimit(key, limit, RESET_LIMITS.windowMs, now.getTime());
  }
}

export type ResetRequestResult = { ok: true } | { ok: false; error: "rateLimited"; retryAfterMinutes: number };

export async function requestPasswordReset({
  tenant,
  email,
  locale,
  ip,
  now = new Date(),
}: {
  tenant: Tenant;
  email: string;
  /** The page's language, for addresses without an account preference. */
  locale: Locale;
  ip: string;
  now?: Date;
}): Promise<ResetRequestResult> {
  const byIp = await hit(`reset:ip:${ip}`, RESET_LIMITS.perIp, now);
  if (byIp.limited) {
    return { ok: false, error: "rateLimited", retryAfterMinutes: Math.max(1, Math.ceil(byIp.retryAfterSeconds / 60)) };
  }
  // From here on every path answers the same: no account enumeration.
  const byEmail = await hit(`reset:email:${email}`, RESET_LIMITS.perEmail, now);
  const user = await User.findOne({ email })
    .select({ email: 1, locale: 1, disabled: 1, platformAdmin: 1 })
    .lean<Pick<UserDoc, "_id" | "email" | "locale" | "disabled" | "platformAdmin">>();
  const member = user ? user.platformAdmin || (await Membership.exists({ tenantId: tenant._id, userId: user._id })) !== null : false;
  await recordAudit({
    tenantId: tenant._id,
    action: "password.resetRequested",
    ip,
    actor: user ? { id: user._id, email: user.email } : null,
    target: { type: "user", id: user ? String(user._id) : email, label: email },
    details: { sent: Boolean(user && member && !user.disabled && !byEmail.limited) },
    at: now,
  });
  if (!user || !member || user.disabled || byEmail.limited) return { ok: true };

  const token = newToken();
  const tokenHash = hashToken(token);
  await PasswordReset.create({
    _id: tokenHash,
    userId: user._id,
    tenantId: tenant._id,
    createdAt: now,
    expiresAt: new Date(now.getTime() + RESET_TTL_MS),
    usedAt: null,
    ip,
  });
  await enqueueEmail({
    tenantId: tenant._id,
    idempotencyKey: `password-reset:${tokenHash}`,
    template: "password-reset",
    to: user.email,
    locale: user.locale ?? locale,
    data: { link: resetLink(tenant.slug, token), expiresMinutes: RESET_TTL_MS / 60_000 },
    now,
  });
  return { ok: true };
}

export function resetLink(slug: string, token: string): string {
  return `${getEnv().APP_URL.replace(/\/+$/, "")}/t/${slug}/reset-password/${token}`;
}

export type ResetState = "valid" | "invalid";

/** The link's user, if the token is known, for this tenant, unexpired and unused. */
export async function findPasswordReset({
  tenantId,
  token,
  now = new Date(),
}: {
  tenantId: Types.ObjectId;
  token: string;
  now?: Date;
}): Promise<{ userId: Types.ObjectId; email: string } | null> {
  if (!token || token.length > 200) return null;
  const reset = await PasswordReset.findOne({ _id: hashToken(token) }).lean();
  if (!reset || !reset.tenantId.equals(tenantId) || reset.usedAt || reset.expiresAt.getTime() <= now.getTime()) return null;
  const user = await User.findOne({ _id: reset.userId }).select({ email: 1, disabled: 1 }).lean<Pick<UserDoc, "_id" | "email" | "disabled">>();
  if (!user || user.disabled) return null;
  return { userId: user._id, email: user.email };
}

/** True for a link of this tenant that has been used (the page right after a reset answers 200). */
export async function passwordResetUsed({ tenantId, token }: { tenantId: Types.ObjectId; token: string }): Promise<boolean> {
  if (!token || token.length > 200) return false;
  const reset = await PasswordReset.findOne({ _id: hashToken(token) }).select({ tenantId: 1, usedAt: 1 }).lean();
  return Boolean(reset && reset.tenantId.equals(tenantId) && reset.usedAt);
}

export type ResetResult =
  | { ok: true; sessionsEnded: number }
  | { ok: false; error: "invalidLink" | "containsEmail" | "samePassword" };

export async function resetPassword({
  tenantId,
  token,
  password,
  ip,
  now = new Date(),
}: {
  tenantId: Types.ObjectId;
  token: string;
  password: string;
  ip: string;
  now?: Date;
}): Promise<ResetResult> {
  const found = await findPasswordReset({ tenantId, token, now });
  if (!found) return { ok: false, error: "invalidLink" };
  if (passwordMatchesEmail(password, found.email)) return { ok: false, error: "containsEmail" };
  // A reset sets a new password: the current one is refused (checked before the link is used up).
  const current = await User.findOne({ _id: found.userId }).select({ passwordHash: 1 }).lean<Pick<UserDoc, "_id" | "passwordHash">>();
  if (current?.passwordHash && (await verifyPassword(current.passwordHash, password))) return { ok: false, error: "samePassword" };
  const tokenHash = hashToken(token);
  // Single use: of two concurrent submissions exactly one gets the claim.
  if (!(await claimOnce(`password-reset:${tokenHash}:use`, now))) return { ok: false, error: "invalidLink" };
  await PasswordReset.updateOne({ _id: tokenHash }, { $set: { usedAt: now } });
  // Other outstanding links of this user die with this one.
  await PasswordReset.updateMany({ userId: found.userId, usedAt: null }, { $set: { usedAt: now } });
  await User.updateOne({ _id: found.userId }, { $set: { passwordHash: await hashPassword(password), passwordChangedAt: now } });
  const sessionsEnded = await deleteUserSessions(found.userId);
  await clearLoginLimits(found.email);
  await recordAudit({
    tenantId,
    action: "password.reset",
    ip,
    actor: { id: found.userId, email: found.email },
    target: { type: "user", id: String(found.userId), label: found.email },
    details: { sessionsEnded },
    at: now,
  });
  return { ok: true, sessionsEnded };
}

export async function purgeExpiredPasswordResets(now = new Date()): Promise<number> {
  const result = await PasswordReset.deleteMany({ expiresAt: { $lt: new Date(now.getTime() - 24 * 60 * 60 * 1000) } });
  return result.deletedCount;
}
