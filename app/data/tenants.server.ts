import { Tenant, tenantIdForSlug, type TenantDoc } from "../../models/tenant";
import { TenantSlug } from "../../models/tenant-slug";
import { connectDb } from "~/db.server";
import { oncePerRequest } from "~/request-scope.server";

export type TenantView = Pick<TenantDoc, "_id" | "slug" | "name" | "authority" | "regionCode" | "districts" | "settings" | "active">;

/** Tenants saved before Step 12 have no `active` field: they are active. */
export const isTenantActive = (tenant: Pick<TenantDoc, "active">) => tenant.active !== false;

/**
 * The tenant by `_id`, read once per GET request and shared by the slug resolution and every view
 * that needs its settings, name or authority (they each read it again before). Callers must not
 * mutate it.
 */
export function getTenantById(_id: TenantDoc["_id"]): Promise<TenantView | null> {
  return oncePerRequest(`tenant-id:${String(_id)}`, async () => {
    await connectDb();
    return Tenant.findOne({ _id }).lean<TenantView>();
  });
}

async function tenantById(_id: TenantDoc["_id"], slug: string): Promise<TenantView | null> {
  const tenant = await getTenantById(_id);
  return tenant?.slug === slug ? tenant : null;
}

/**
 * `_id` reads only (decision 010): the `_id` derived from the slug (every tenant created since),
 * else the slug document of an older tenant. Once per request.
 */
export function getTenantBySlug({ slug }: { slug: string }): Promise<TenantView | null> {
  if (!/^[a-z0-9][a-z0-9-]{1,39}$/.test(slug)) return Promise.resolve(null);
  return oncePerRequest(`tenant:${slug}`, async () => {
    await connectDb();
    const derived = await tenantById(tenantIdForSlug(slug), slug);
    if (derived) return derived;
    const entry = await TenantSlug.findOne({ _id: slug }).lean();
    return entry ? tenantById(entry.tenantId, slug) : null;
  });
}

/** Fills the slug documents of tenants saved before they existed (start-up; safe to repeat). */
export async function recordTenantSlugs(): Promise<number> {
  await connectDb();
  const tenants = await Tenant.find({}).select({ slug: 1 }).lean<Array<Pick<TenantView, "_id" | "slug">>>();
  await Promise.all(
    tenants.map((t) => TenantSlug.updateOne({ _id: t.slug }, { $set: { tenantId: t._id } }, { upsert: true })),
  );
  return tenants.length;
}

/** Active tenants (the public landing page). */
export async function listTenants(): Promise<TenantView[]> {
  await connectDb();
  const tenants = await Tenant.find({}).sort({ slug: 1 }).lean<TenantView[]>();
  return tenants.filter(isTenantActive);
}

export function districtName(tenant: Pick<TenantView, "districts">, code: string): string {
  return tenant.districts.find((d) => d.code === code)?.name ?? code;
}
