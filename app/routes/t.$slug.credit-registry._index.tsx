/**
 * GET /t/<slug>/credit-registry — one tenant's public work-safety credit list (no login): search,
 * filters, pages, CSV export of the current result. Only published records; rate limited per IP.
 */
import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { clientIp } from "~/auth.server";
import { CreditRegistryPage, RateLimited } from "~/components/credit-registry";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { checkRegistryRateLimit, registryPageData } from "~/data/credit-registry.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";
import { requireTenant } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const locale = await getLocale(request);
  const limited = await checkRegistryRateLimit(clientIp(request));
  if (limited)
    return data(
      { ...limited, locale },
      { status: 429, headers: { "Retry-After": String(limited.retryAfterSeconds), "Cache-Control": "no-store" } },
    );
  const page = await registryPageData({ search: new URL(request.url).searchParams, tenant, locale });
  return data({ ...page, locale }, { headers: { "Cache-Control": "no-store" } });
}

export default function TenantCreditRegistry() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  if (d.kind !== "ok") return <RateLimited minutes={d.minutes} />;
  return (
    <>
      <CreditRegistryPage d={d} />
      <p className="mt-6 text-sm">
        <Link to="/credit-registry" className="text-brand-700 hover:underline">
          {t("creditPublic.registry.acrossTenants")}
        </Link>
      </p>
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d?.kind === "ok" ? d.title : d ? translate(d.locale, "creditPublic.registry.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
