import { RateLimit } from "../../models/rate-limit";

export type RateLimitState = { count: number; limited: boolean; retryAfterSeconds: number };

function windowOf(windowMs: number, now: number) {
  const start = Math.floor(now / windowMs) * windowMs;
  return { start, end: start + windowMs };
}

/** Counts one hit against `key` in the current fixed window (atomic across app instances). */
export async function hitRateLimit(key: string, limit: number, windowMs: number, now = Date.now()): Promise<RateLimitState> {
  const { start, end } = windowOf(windowMs, now);
  const doc = await RateLimit.findOneAndUpdate(
    { _id: `${key}|${start}` },
    { $inc: { count: 1 }, $setOnInsert: { key, expiresAt: new Date(end) } },
    { upsert: true, returnDocument: "after" },
  ).lean();
  const count = doc?.count ?? 1;
  return { count, limited: count > limit, retryAfterSeconds: Math.ceil((end - now) / 1000) };
}

/** Reads the current window without counting. */
export async function peekRateLimit(key: string, limit: number, windowMs: number, now = Date.now()): Promise<RateLimitState> {
  const { start, end } = windowOf(windowMs, now);
  const doc = await RateLimit.findOne({ _id: `${key}|${start}` }).lean();
  const count = doc?.count ?? 0;
  return { count, limited: count >= limit, retryAfterSeconds: Math.ceil((end - now) / 1000) };
}

export async function clearRateLimit(key: string, windowMs: number, now = Date.now()): Promise<void> {
  const { start } = windowOf(windowMs, now);
  await RateLimit.deleteOne({ _id: `${key}|${start}` });
}

export async function purgeExpiredRateLimits(now = new Date()): Promise<number> {
  const result = await RateLimit.deleteMany({ expiresAt: { $lt: now } });
  return result.deletedCount;
}
