import { Tenant, type TenantDoc } from "../../models/tenant";
import { connectDb } from "~/db.server";

export type TenantView = Pick<TenantDoc, "_id" | "slug" | "name" | "authority" | "regionCode" | "districts" | "settings">;

export async function getTenantBySlug({ slug }: { slug: string }): Promise<TenantView | null> {
  if (!/^[a-z0-9][a-z0-9-]{1,39}$/.test(slug)) return null;
  await connectDb();
  return Tenant.findOne({ slug }).lean<TenantView>();
}

export async function listTenants(): Promise<TenantView[]> {
  await connectDb();
  return Tenant.find({}).sort({ slug: 1 }).lean<TenantView[]>();
}

export function districtName(tenant: Pick<TenantView, "districts">, code: string): string {
  return tenant.districts.find((d) => d.code === code)?.name ?? code;
}
