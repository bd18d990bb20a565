import { createHash, randomBytes } from "node:crypto";
import type { Types } from "mongoose";
import { Session } from "../../models/session";

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export async function createSession({
  userId,
  ip,
  userAgent,
  now = new Date(),
}: {
  userId: Types.ObjectId;
  ip: string;
  userAgent: string;
  now?: Date;
}): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await Session.create({
    _id: hashToken(token),
    userId,
    createdAt: now,
    expiresAt,
    ip,
    userAgent: userAgent.slice(0, 300),
  });
  return { token, expiresAt };
}

/** By `_id` alone, expiry checked here: FerretDB/SQLite pushes down only a filter that is exactly `{ _id }`. */
export async function findSessionUserId(token: string, now = new Date()): Promise<Types.ObjectId | null> {
  const session = await Session.findOne({ _id: hashToken(token) }).select({ userId: 1, expiresAt: 1 }).lean();
  return session && session.expiresAt > now ? session.userId : null;
}

export async function deleteSession(token: string): Promise<void> {
  await Session.deleteOne({ _id: hashToken(token) });
}

export async function deleteUserSessions(userId: Types.ObjectId, exceptToken?: string): Promise<number> {
  const filter: Record<string, unknown> = { userId };
  if (exceptToken) filter._id = { $ne: hashToken(exceptToken) };
  const result = await Session.deleteMany(filter);
  return result.deletedCount;
}

export async function countUserSessions(userId: Types.ObjectId, now = new Date()): Promise<number> {
  return Session.countDocuments({ userId, expiresAt: { $gt: now } });
}

export async function purgeExpiredSessions(now = new Date()): Promise<number> {
  const result = await Session.deleteMany({ expiresAt: { $lte: now } });
  return result.deletedCount;
}
