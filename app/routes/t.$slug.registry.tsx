/**
 * GET /t/<slug>/registry — the public registry of certified enterprises (no login): search by name
 * or credit code, filter by level, industry, district and status, page through, export as CSV
 * with the same filters. Verification codes are not listed: they stay with the certificate holder.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { CertificateStatusBadge } from "~/components/certificate-status";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pagination } from "~/components/pagination";
import { publicCertificateRegistry } from "~/data/certificates/public-registry.server";
import { districtOptions } from "~/data/enterprises.server";
import { translate } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { CERTIFICATE_STATUSES, filterQuery, parseCertificateFilters } from "~/lib/certificate";
import { formatDate } from "~/lib/datetime";
import { getLocale } from "~/locale.server";
import { groundText } from "~/lib/revocation-grounds";
import { requireTenant, tenantName } from "~/tenant.server";
import {
  DistrictFilter,
  FilterActions,
  FilterSelect,
  IndustryFilter,
} from "~/components/list-filters";

const PAGE_SIZE = 20;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const locale = await getLocale(request);
  const filters = parseCertificateFilters(new URL(request.url).searchParams);
  const { result, levels } = await publicCertificateRegistry({
    tenantId: tenant._id,
    filters: {
      q: filters.q,
      level: filters.level,
      status: filters.status,
      industry: filters.industry,
      district: filters.district,
    },
    page: filters.page,
    pageSize: PAGE_SIZE,
  });
  const { page: _page, ...rest } = filters;
  return {
    slug: tenant.slug,
    locale,
    tenantName: tenantName(tenant, locale),
    filters: {
      q: filters.q,
      level: filters.level,
      status: filters.status ?? "",
      industry: filters.industry ?? "",
      district: filters.district,
    },
    csvQuery: filterQuery(rest),
    levels,
    districts: districtOptions(tenant),
    // Only the public fields leave the server.
    items: result.items.map((c) => ({
      number: c.number,
      enterpriseName: c.enterpriseName,
      creditCode: c.creditCode,
      levelName: c.levelName,
      industry: c.industry,
      districtName: c.districtName,
      issuedAt: c.issuedAt,
      validUntil: c.validUntil,
      status: c.status,
      revokedAt: c.revokedAt,
      revokedGrounds: c.revokedGrounds,
    })),
    total: result.total,
    page: result.page,
    pageSize: result.pageSize,
  };
}

export default function Registry() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const base = `/t/${d.slug}/registry`;
  const levelName = (name: { zh: string; en: string }) =>
    locale === "en" && name.en ? name.en : name.zh;
  return (
    <section>
      <div className="mb-2 flex flex-wrap items-center justify-between gap-3">
        <h1 className="page-title mb-0">{t("certificate.registry.title")}</h1>
        <a
          href={`${base}.csv${d.csvQuery ? `?${d.csvQuery}` : ""}`}
          className="btn-secondary"
          data-testid="registry-csv"
          download
        >
          {t("certificate.registry.csv")}
        </a>
      </div>
      <p className="mb-4 text-sm text-slate-600">
        {t("certificate.registry.intro", { tenant: d.tenantName })}
      </p>

      <Form
        method="get"
        key={`${d.filters.q}|${d.filters.level}|${d.filters.status}|${d.filters.industry}|${d.filters.district}`}
        className="card mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-6"
        role="search"
      >
        <label className="lg:col-span-2">
          <span className="sr-only">{t("common.search")}</span>
          <input
            type="search"
            name="q"
            defaultValue={d.filters.q}
            placeholder={t("certificate.registry.searchPlaceholder")}
            className="input"
            maxLength={100}
          />
        </label>
        <FilterSelect
          name="level"
          label={t("certificate.level")}
          value={d.filters.level}
          allLabel={t("certificate.filter.allLevels")}
          options={d.levels.map((l) => ({ value: String(l.key), label: levelName(l.name) }))}
        />
        <IndustryFilter value={d.filters.industry} />
        <DistrictFilter value={d.filters.district} districts={d.districts} />
        <FilterSelect
          name="status"
          label={t("common.status")}
          value={d.filters.status}
          allLabel={t("certificate.filter.allStatuses")}
          options={CERTIFICATE_STATUSES.map((s) => ({
            value: String(s),
            label: t(`certificate.status.${s}`),
          }))}
        />
        <FilterActions resetTo={base} className="sm:col-span-2 lg:col-span-6" />
      </Form>

      <div className="card overflow-x-auto p-0">
        <table className="table" data-testid="registry-table">
          <thead>
            <tr>
              <th scope="col">{t("enterprise.name")}</th>
              <th scope="col">{t("enterprise.creditCode")}</th>
              <th scope="col">{t("certificate.level")}</th>
              <th scope="col">{t("enterprise.industry")}</th>
              <th scope="col">{t("enterprise.district")}</th>
              <th scope="col">{t("certificate.number")}</th>
              <th scope="col">{t("certificate.validUntil")}</th>
              <th scope="col">{t("common.status")}</th>
            </tr>
          </thead>
          <tbody>
            {d.items.length === 0 ? (
              <tr>
                <td colSpan={8} className="py-8 text-center text-slate-500">
                  {t("certificate.registry.empty")}
                </td>
              </tr>
            ) : (
              d.items.map((c) => (
                <tr key={c.number}>
                  <td className="font-medium">{c.enterpriseName}</td>
                  <td className="font-mono text-xs">{c.creditCode}</td>
                  <td>{levelName(c.levelName)}</td>
                  <td>{t(`industry.${c.industry}`)}</td>
                  <td>{c.districtName || "—"}</td>
                  <td className="font-mono text-xs">{c.number}</td>
                  <td>{formatDate(c.validUntil, locale)}</td>
                  <td>
                    <CertificateStatusBadge status={c.status} />
                    {c.revokedAt ? (
                      <p className="mt-1 text-xs text-slate-600" data-testid="registry-revocation">
                        {t("revocation.public.revokedOn")}：{formatDate(c.revokedAt, locale)}
                        {c.revokedGrounds.length > 0
                          ? ` · ${c.revokedGrounds.map((g) => groundText(g, locale)).join("；")}`
                          : ""}
                      </p>
                    ) : null}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pagination page={d.page} pageSize={d.pageSize} total={d.total} />
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  {
    title: d
      ? `${translate(d.locale, "certificate.registry.title")} · ${d.tenantName}`
      : "SafeGrade",
  },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
