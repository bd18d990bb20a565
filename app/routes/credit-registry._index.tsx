/**
 * GET /credit-registry — the public work-safety credit list across all tenants (no login):
 * search by name or credit code, filter by authority, condition, year and list type, page through,
 * export the current result as CSV. Only published records; rate limited per client IP.
 */
import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { clientIp } from "~/auth.server";
import { AppShell } from "~/components/app-shell";
import { CreditRegistryPage, RateLimited } from "~/components/credit-registry";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { checkRegistryRateLimit, registryPageData } from "~/data/credit-registry.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const locale = await getLocale(request);
  const limited = await checkRegistryRateLimit(clientIp(request));
  if (limited)
    return data(
      { ...limited, locale },
      { status: 429, headers: { "Retry-After": String(limited.retryAfterSeconds), "Cache-Control": "no-store" } },
    );
  const page = await registryPageData({ search: new URL(request.url).searchParams, tenant: null, locale });
  return data({ ...page, locale }, { headers: { "Cache-Control": "no-store" } });
}

export default function CreditRegistryAll() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <AppShell brandHref="/" title={t("creditPublic.registry.title")} nav={[]} user={null}>
      <div className="py-4">{d.kind === "ok" ? <CreditRegistryPage d={d} /> : <RateLimited minutes={d.minutes} />}</div>
    </AppShell>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "creditPublic.registry.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
