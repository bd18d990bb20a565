import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { listTenantsForPlatform } from "~/data/tenants/platform.server";
import { requirePlatformAdmin } from "~/data/tenants/platform-auth.server";
import { translate } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePlatformAdmin(request);
  const tenants = await listTenantsForPlatform();
  return {
    locale: await getLocale(request),
    tenants: tenants.map((t) => ({ ...t, countedAt: t.countedAt ? t.countedAt.toISOString() : null })),
  };
}

export default function PlatformTenants() {
  const { tenants } = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const counted = tenants.map((x) => x.countedAt).filter((x): x is string => Boolean(x)).sort()[0];
  return (
    <section className="mx-auto max-w-6xl space-y-4">
      <div className="flex items-center justify-between">
        <h1 className="page-title">{t("platform.tenants.title")}</h1>
        <Link to="/platform/tenants/new" className="btn-primary" data-testid="new-tenant">
          {t("platform.tenants.new")}
        </Link>
      </div>
      <p className="text-slate-600">{t("platform.tenants.intro")}</p>
      {tenants.length === 0 ? (
        <p className="text-slate-500">{t("platform.tenants.empty")}</p>
      ) : (
        <div className="card overflow-x-auto">
          <table className="table" data-testid="tenant-table">
            <thead>
              <tr>
                <th>{t("platform.tenants.slug")}</th>
                <th>{t("platform.tenants.authority")}</th>
                <th>{t("platform.tenants.region")}</th>
                <th>{t("platform.tenants.districts")}</th>
                <th>{t("platform.tenants.enterprises")}</th>
                <th>{t("platform.tenants.applications")}</th>
                <th>{t("platform.tenants.certificates")}</th>
                <th>{t("platform.tenants.status")}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {tenants.map((x) => (
                <tr key={x.slug} data-tenant={x.slug}>
                  <td>
                    <Link to={`/t/${x.slug}`} className="text-brand-600 hover:underline">
                      {x.slug}
                    </Link>
                  </td>
                  <td>{locale === "en" ? x.authority.en : x.authority.zh}</td>
                  <td>{x.regionCode}</td>
                  <td>{x.districts}</td>
                  {x.counts ? (
                    <>
                      <td data-count="enterprises">{x.counts.enterprises}</td>
                      <td data-count="applications">{x.counts.applications}</td>
                      <td data-count="certificates">{x.counts.certificates}</td>
                    </>
                  ) : (
                    <td colSpan={3} className="text-slate-400">
                      {t("platform.tenants.notCounted")}
                    </td>
                  )}
                  <td>{x.active ? t("platform.tenants.active") : t("platform.tenants.inactive")}</td>
                  <td>
                    <Link to={`/platform/tenants/${x.slug}`} className="text-brand-600 hover:underline">
                      {t("platform.tenants.open")}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {counted ? (
            <p className="mt-2 text-xs text-slate-500">
              {t("platform.tenants.countsAsOf", { time: new Date(counted).toLocaleString(locale) })}
            </p>
          ) : null}
        </div>
      )}
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "platform.tenants.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
