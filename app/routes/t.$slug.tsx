import type { LoaderFunctionArgs } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { Outlet, useLoaderData } from "@remix-run/react";
import { AppShell } from "~/components/app-shell";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import type { MessageKey } from "~/i18n";
import { visibleNav } from "~/lib/navigation";
import { getLocale } from "~/locale.server";
import { optionalMember, tenantName } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await optionalMember(request, params);
  const locale = await getLocale(request);
  const roleKeys: MessageKey[] = member
    ? [...member.roles.map((r): MessageKey => `role.${r}`), ...(member.user.platformAdmin ? (["role.platform_admin"] as const) : [])]
    : [];
  return {
    tenant: { slug: tenant.slug, name: tenantName(tenant, locale) },
    user: member ? { name: member.user.name, roles: roleKeys } : null,
    nav: member ? visibleNav(member.permissions, member.enterpriseId ? String(member.enterpriseId) : null) : [],
  };
}

/** Background autosaves change nothing the shell shows (user, nav), so they don't reload it. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "save" ? false : defaultShouldRevalidate;

export default function TenantLayout() {
  const { tenant, user, nav } = useLoaderData<typeof loader>();
  const base = `/t/${tenant.slug}`;
  return (
    <AppShell
      brandHref={base}
      title={tenant.name}
      nav={nav}
      user={user}
      loginHref={`${base}/login`}
      logoutAction={`${base}/logout`}
      accountHref={`${base}/account`}
    >
      <Outlet />
    </AppShell>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
