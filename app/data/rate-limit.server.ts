import { RateLimit } from "../../models/rate-limit";
import { isDuplicateKeyError } from "./mongo-errors.server";

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

// ---------------------------------------------------------------------------------------------
// Slot reservations (decision 015): counted BEFORE the guarded work, atomic on FerretDB too.
// `$inc` upserts are not atomic on FerretDB 1.24 (tests/integration/rate-limit.test.ts: 50
// parallel writers read back 13 distinct counts), so each attempt inserts the next free slot
// `<counter>|<window start>|<n>`; the unique `_id` lets exactly one writer have each slot.

export type SlotReservation = { ok: true; slot: number } | { ok: false; retryAfterSeconds: number };

export async function reserveSlot({
  counter,
  group,
  limit,
  windowMs,
  now = Date.now(),
}: {
  /** What is counted, e.g. `login:acct-ip:<email>|<ip>`. */
  counter: string;
  /** Stored as `key`: what `clearSlotGroup` deletes at once (e.g. every login counter of an account). */
  group: string;
  limit: number;
  windowMs: number;
  now?: number;
}): Promise<SlotReservation> {
  const { start, end } = windowOf(windowMs, now);
  for (let slot = 1; slot <= limit; slot += 1) {
    try {
      await RateLimit.create({ _id: slotId(counter, start, slot), key: group, count: slot, expiresAt: new Date(end) });
      return { ok: true, slot };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  return { ok: false, retryAfterSeconds: Math.ceil((end - now) / 1000) };
}

function slotId(counter: string, start: number, slot: number): string {
  return `${counter}|${start}|${slot}`;
}

/** Frees every slot of `counter` in the current window (by `_id`: constant time). */
export async function clearSlots(counter: string, limit: number, windowMs: number, now = Date.now()): Promise<void> {
  const { start } = windowOf(windowMs, now);
  const ids = Array.from({ length: limit }, (_, i) => slotId(counter, start, i + 1));
  await RateLimit.deleteMany({ _id: { $in: ids } });
}

/**
 * Gives back one slot of `counter` in the current window (the highest taken): a success that
 * should not count against the limit. `_id` deletes only, at most `limit` of them.
 */
export async function releaseSlot(counter: string, limit: number, windowMs: number, now = Date.now()): Promise<boolean> {
  const { start } = windowOf(windowMs, now);
  for (let slot = limit; slot >= 1; slot -= 1) {
    const { deletedCount } = await RateLimit.deleteOne({ _id: slotId(counter, start, slot) });
    if (deletedCount === 1) return true;
  }
  return false;
}

/** Deletes every slot and marker stored under `group` (e.g. after a password reset). */
export async function clearSlotGroup(group: string): Promise<void> {
  await RateLimit.deleteMany({ key: group });
}

/** A marker document (`_id` = id) until `expiresAt`; true if this call created it. */
export async function setMarker(id: string, group: string, expiresAt: Date): Promise<boolean> {
  try {
    await RateLimit.create({ _id: id, key: group, count: 0, expiresAt });
    return true;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    return false;
  }
}

export async function hasMarker(id: string, now = Date.now()): Promise<boolean> {
  const doc = await RateLimit.findOne({ _id: id }).select({ expiresAt: 1 }).lean();
  return Boolean(doc && doc.expiresAt.getTime() > now);
}
