/**
 * Per-process cache of a tenant's list rows (decision 031), on decision 029's mechanism: the slim
 * rows of one tenant's collection, loaded once per change stamp and kept ready (sorted, with their
 * filter options), so a list request costs one read of a tiny stamp document by `_id` and the
 * filtering, counting and paging happen here. FerretDB pushes down neither a sort nor a count
 * nor `$regex`/`$or`/`$in`, so the same list as a query decodes every row of the tenant anyway.
 *
 * Correct across instances: every write through the model renews the tenant's stamp (or, when the
 * hook cannot tell the tenant, every tenant's; models/public-stamp.ts), and an entry is used only
 * while the stamp is what it was when it was loaded. Bounded by entries (least
 * recently used dropped first) and by age (a stamp lost to a crash between a write and its bump).
 */
import { PublicStamp, tenantStampId, type TenantStampCollection } from "../../models/public-stamp";
import { connectDb } from "~/db.server";
import { oncePerRequest } from "~/request-scope.server";

type Entry = { stamp: string; at: number; value: Promise<unknown> };

/** Most entries kept per process: (collection, tenant) pairs. */
export const TENANT_LIST_CACHE_MAX_ENTRIES = 60;
export const TENANT_LIST_CACHE_MAX_AGE_MS = 60_000;

const entries = new Map<string, Entry>();

/** The tenant's stamp of the collection, by `_id` (a table of a few rows per tenant). */
export async function tenantListStamp(collection: TenantStampCollection, tenantId: string): Promise<string> {
  // Once per GET request: the to-do home asks for several lists of one collection at once.
  return oncePerRequest(`tenant-list-stamp:${collection}:${tenantId}`, () => readTenantListStamp(collection, tenantId));
}

async function readTenantListStamp(collection: TenantStampCollection, tenantId: string): Promise<string> {
  await connectDb();
  const doc = await PublicStamp.findOne({ _id: tenantStampId(collection, tenantId) }).select({ stamp: 1 }).lean<{ stamp: string }>();
  return doc?.stamp ?? "";
}

/**
 * `load()`'s result for this tenant's collection: re-used while the stamps are unchanged and the
 * entry is younger than `maxAgeMs`. Concurrent misses share one load; a failed load is not kept.
 * The value is shared between requests: callers must not mutate it.
 */
export async function cachedTenantRows<T>(
  collection: TenantStampCollection,
  tenantId: string,
  load: () => Promise<T>,
  { maxAgeMs = TENANT_LIST_CACHE_MAX_AGE_MS, now = Date.now() }: { maxAgeMs?: number; now?: number } = {},
): Promise<T> {
  const stamp = await tenantListStamp(collection, tenantId);
  const id = `${collection}\u0000${tenantId}`;
  const hit = entries.get(id);
  if (hit && hit.stamp === stamp && now - hit.at < maxAgeMs) {
    // Re-insert: the Map's order is the recency order.
    entries.delete(id);
    entries.set(id, hit);
    return hit.value as Promise<T>;
  }
  const value = load();
  entries.delete(id);
  entries.set(id, { stamp, at: now, value });
  while (entries.size > TENANT_LIST_CACHE_MAX_ENTRIES) {
    const oldest = entries.keys().next().value;
    if (oldest === undefined) break;
    entries.delete(oldest);
  }
  value.catch(() => {
    if (entries.get(id)?.value === value) entries.delete(id);
  });
  return value;
}

/** Tests (and a "second instance" in them): start from an empty cache. */
export function clearTenantListCache(): void {
  entries.clear();
}
