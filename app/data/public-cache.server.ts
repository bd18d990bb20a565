/**
 * A per-process cache for what the public pages read (decision 029), kept correct across
 * instances by the scope's change stamp (models/public-stamp.ts): every request reads the stamp by
 * `_id` (one round trip that does not grow with the data) and re-uses a cached result only when
 * it was computed under the same stamp. Every write to the scope's collection gives it a new
 * stamp (a schema plugin), so a revocation or a new publication shows on the next request of
 * every instance. `maxAgeMs` also bounds results that depend on the clock (a certificate that
 * expires while cached) and a stamp lost to a crash between a write and its bump.
 */
import { PublicStamp, type PublicStampScope } from "../../models/public-stamp";
import { connectDb } from "~/db.server";

type Entry = { stamp: string; at: number; value: Promise<unknown> };

/** Most entries kept per process (least recently used dropped first). */
export const PUBLIC_CACHE_MAX_ENTRIES = 500;
export const PUBLIC_CACHE_MAX_AGE_MS = 60_000;

const entries = new Map<string, Entry>();

async function currentStamp(scope: PublicStampScope): Promise<string> {
  await connectDb();
  const doc = await PublicStamp.findOne({ _id: scope }).select({ stamp: 1 }).lean<{ stamp: string }>();
  return doc?.stamp ?? "";
}

/**
 * `load()`'s result for `key` within `scope`: cached while the scope's stamp is unchanged and the
 * entry is younger than `maxAgeMs`. Concurrent requests for a missing entry share one load; a
 * failed load is not kept. The value is shared: callers must not mutate it.
 */
export async function cachedPublicRead<T>(
  scope: PublicStampScope,
  key: string,
  load: () => Promise<T>,
  { maxAgeMs = PUBLIC_CACHE_MAX_AGE_MS, now = Date.now() }: { maxAgeMs?: number; now?: number } = {},
): Promise<T> {
  const stamp = await currentStamp(scope);
  const id = `${scope}\u0000${key}`;
  const hit = entries.get(id);
  if (hit && hit.stamp === stamp && now - hit.at < maxAgeMs) {
    // Re-insert: the Map's order is the recency order.
    entries.delete(id);
    entries.set(id, hit);
    return hit.value as Promise<T>;
  }
  const value = load();
  entries.set(id, { stamp, at: now, value });
  while (entries.size > PUBLIC_CACHE_MAX_ENTRIES) {
    const oldest = entries.keys().next().value;
    if (oldest === undefined) break;
    entries.delete(oldest);
  }
  value.catch(() => {
    if (entries.get(id)?.value === value) entries.delete(id);
  });
  return value;
}

/** Tests: start from an empty cache. */
export function clearPublicCache(): void {
  entries.clear();
}
