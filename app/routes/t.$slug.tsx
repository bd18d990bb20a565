import type { LoaderFunctionArgs } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { Link, Outlet, useLoaderData } from "@remix-run/react";
import { AppShell } from "~/components/app-shell";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import type { MessageKey } from "~/i18n";
import { useT } from "~/i18n/react";
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
    platformAdmin: member?.user.platformAdmin ?? false,
    nav: member ? visibleNav(member.permissions, member.enterpriseId ? String(member.enterpriseId) : null) : [],
  };
}

/** Background autosaves change nothing the shell shows (user, nav), so they don't reload it. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "save" ? false : defaultShouldRevalidate;

export default function TenantLayout() {
  const { tenant, user, nav, platformAdmin } = useLoaderData<typeof loader>();
  const t = useT();
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
      {platformAdmin ? (
        <p className="mb-4 text-sm">
          <Link to="/platform" className="text-brand-600 hover:underline" data-testid="platform-link">
            {t("platform.link")}
          </Link>
        </p>
      ) : null}
      <Outlet />
    </AppShell>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
