/** A user's own account: display name, password, sessions. Users are global; audit goes to the tenant they acted in. */
import type { Types } from "mongoose";
import { User, type UserDoc } from "../../models/user";
import { loginSucceeded, reserveLoginAttempt } from "~/auth.server";
import { recordAudit } from "./audit.server";
import type { TenantId } from "./ids.server";
import { hashPassword, verifyPassword } from "./passwords.server";
import { countUserSessions } from "./sessions.server";

export type AccountView = {
  email: string;
  name: string;
  passwordChangedAt: Date | null;
  sessionCount: number;
};

export async function getAccount({
  userId,
}: {
  userId: Types.ObjectId;
}): Promise<AccountView | null> {
  const user = await User.findOne({ _id: userId })
    .select({ email: 1, name: 1, passwordChangedAt: 1 })
    .lean<Pick<UserDoc, "email" | "name" | "passwordChangedAt">>();
  if (!user) return null;
  return {
    email: user.email,
    name: user.name,
    passwordChangedAt: user.passwordChangedAt,
    sessionCount: await countUserSessions(userId),
  };
}

export async function updateDisplayName({
  tenantId,
  userId,
  email,
  name,
  ip,
}: {
  tenantId: TenantId;
  userId: Types.ObjectId;
  email: string;
  name: string;
  ip: string;
}): Promise<{ changed: boolean }> {
  // No projection: FerretDB does not implement `fields` on findAndModify.
  const before = await User.findOneAndUpdate(
    { _id: userId },
    { $set: { name } },
    { returnDocument: "before" },
  ).lean<Pick<UserDoc, "name">>();
  if (!before || before.name === name) return { changed: false };
  await recordAudit({
    tenantId,
    action: "profile.updated",
    ip,
    actor: { id: userId, email },
    target: { type: "user", id: String(userId), label: email },
    details: { from: before.name, to: name },
  });
  return { changed: true };
}

/**
 * Re-hashes the password and ends the user's other sessions (someone who knew the old password
 * may be logged in elsewhere). `endOtherSessions` comes from the caller, who knows this browser's session.
 */
export async function changePassword({
  tenantId,
  userId,
  currentPassword,
  newPassword,
  ip,
  endOtherSessions,
  now = new Date(),
}: {
  tenantId: TenantId;
  userId: Types.ObjectId;
  currentPassword: string;
  newPassword: string;
  ip: string;
  endOtherSessions: () => Promise<number>;
  now?: Date;
}): Promise<
  | { ok: true; sessionsEnded: number }
  | { ok: false; error: "wrongPassword" | "unchanged" | "rateLimited"; retryAfterMinutes?: number }
> {
  const user = await User.findOne({ _id: userId })
    .select({ email: 1, passwordHash: 1 })
    .lean<Pick<UserDoc, "_id" | "email" | "passwordHash">>();
  if (!user) return { ok: false, error: "wrongPassword" };
  // A stolen session must not be a way around the login form's guessing limit.
  const reservation = await reserveLoginAttempt({ email: user.email, ip });
  if (!reservation.ok) return { ok: false, error: "rateLimited", retryAfterMinutes: reservation.retryAfterMinutes };
  if (!(await verifyPassword(user.passwordHash, currentPassword))) return { ok: false, error: "wrongPassword" };
  await loginSucceeded({ email: user.email, ip });
  if (currentPassword === newPassword) return { ok: false, error: "unchanged" };
  await User.updateOne(
    { _id: userId },
    { $set: { passwordHash: await hashPassword(newPassword), passwordChangedAt: now } },
  );
  const sessionsEnded = await endOtherSessions();
  await recordAudit({
    tenantId,
    action: "password.changed",
    ip,
    actor: { id: userId, email: user.email },
    target: { type: "user", id: String(userId), label: user.email },
    details: { sessionsEnded },
    at: now,
  });
  return { ok: true, sessionsEnded };
}
