import { getMember, requireMember, requirePermission, type Member } from "./auth.server";
import { getTenantBySlug, type TenantView } from "./data/tenants.server";
import type { Permission } from "./lib/permissions";

export function notFound(): Response {
  return new Response("Not Found", { status: 404 });
}

/** Resolves `/t/<slug>`; an unknown slug is a 404 page. */
export async function requireTenant(params: { slug?: string }): Promise<TenantView> {
  const tenant = params.slug ? await getTenantBySlug({ slug: params.slug }) : null;
  if (!tenant) throw notFound();
  return tenant;
}

/** The usual start of a tenant loader/action: tenant → logged-in member → permission. */
export async function requireTenantPermission(
  request: Request,
  params: { slug?: string },
  ...anyOf: Permission[]
): Promise<{ tenant: TenantView; member: Member }> {
  const tenant = await requireTenant(params);
  const member = await requireMember(request, tenant);
  if (anyOf.length > 0) requirePermission(member, ...anyOf);
  return { tenant, member };
}

export async function optionalMember(request: Request, params: { slug?: string }) {
  const tenant = await requireTenant(params);
  const member = await getMember(request, tenant);
  return { tenant, member };
}

export function tenantName(tenant: TenantView, locale: "zh-CN" | "en"): string {
  return locale === "en" ? tenant.name.en : tenant.name.zh;
}
