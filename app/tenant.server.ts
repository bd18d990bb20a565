import { getMember, requireMember, requirePermission, type Member } from "./auth.server";
import { getTenantBySlug, isTenantActive, type TenantView } from "./data/tenants.server";
import type { Permission } from "./lib/permissions";

export function notFound(): Response {
  return new Response("Not Found", { status: 404 });
}

/** 410 Gone: the tenant was deactivated by the platform (its error page says so). */
export function tenantGone(): Response {
  return new Response(JSON.stringify({ tenantInactive: true }), {
    status: 410,
    headers: { "Content-Type": "application/json; charset=utf-8" },
  });
}

/**
 * Resolves `/t/<slug>`; an unknown slug is a 404 page, a deactivated tenant a 410 page on every
 * page of it (login included, so its users cannot log in).
 */
export async function requireTenant(params: { slug?: string }): Promise<TenantView> {
  const tenant = params.slug ? await getTenantBySlug({ slug: params.slug }) : null;
  if (!tenant) throw notFound();
  if (!isTenantActive(tenant)) throw tenantGone();
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
