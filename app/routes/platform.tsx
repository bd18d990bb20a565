import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { AppShell } from "~/components/app-shell";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { requirePlatformAdmin } from "~/data/tenants/platform-auth.server";
import { useT } from "~/i18n/react";

/** The platform admin's area: tenants (辖区) outside any tenant. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePlatformAdmin(request);
  return { user: { name: user.name, roles: ["role.platform_admin" as const] } };
}

export default function PlatformLayout() {
  const { user } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <AppShell brandHref="/platform" title={t("platform.title")} nav={[]} user={user}>
      <Outlet />
    </AppShell>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
