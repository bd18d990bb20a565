/**
 * GET /t/<slug>/certificates — the regulator's certificate list (every certificate of the tenant,
 * with filters); an enterprise sees only its own certificates here.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { CertificateStatusBadge } from "~/components/certificate-status";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pagination } from "~/components/pagination";
import { listCertificates, listCertificatesWithLevels } from "~/data/certificates.server";
import { districtOptions } from "~/data/enterprises.server";
import { translate } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { CERTIFICATE_STATUSES, parseCertificateFilters } from "~/lib/certificate";
import { formatDate } from "~/lib/datetime";
import { can } from "~/lib/permissions";
import { visibleDistricts } from "~/lib/district-scope";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";
import {
  DistrictFilter,
  FilterActions,
  FilterSelect,
  IndustryFilter,
} from "~/components/list-filters";

const PAGE_SIZE = 20;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "read:certificate:own",
    "read:certificate:any",
  );
  const locale = await getLocale(request);
  const filters = parseCertificateFilters(new URL(request.url).searchParams);
  const tenantWide = can(member.permissions, "read:certificate:any");
  const empty = { items: [], total: 0, page: 1, pageSize: PAGE_SIZE, levels: [] };
  const wanted = {
    q: filters.q,
    level: filters.level,
    status: filters.status,
    industry: filters.industry,
    district: filters.district,
    expiring: filters.expiring,
    issued: filters.issued,
  };
  // The regulator's list and its level options come from one read of the tenant's rows (decision
  // 031); an enterprise account without an enterprise sees an empty list, never everyone's.
  const { levels, ...result } = tenantWide
    ? await listCertificatesWithLevels({ tenantId: tenant._id, filters: { ...wanted, scope: member }, page: filters.page, pageSize: PAGE_SIZE })
    : member.enterpriseId
      ? { ...(await listCertificates({ tenantId: tenant._id, filters: { ...wanted, enterpriseId: member.enterpriseId }, page: filters.page, pageSize: PAGE_SIZE })), levels: [] }
      : empty;
  return {
    slug: tenant.slug,
    locale,
    tenantWide,
    filters: {
      q: filters.q,
      level: filters.level,
      status: filters.status ?? "",
      industry: filters.industry ?? "",
      district: filters.district,
    },
    levels,
    districts: visibleDistricts(member, districtOptions(tenant)),
    ...result,
  };
}

export default function CertificateList() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const base = `/t/${d.slug}/certificates`;
  const levelName = (name: { zh: string; en: string }) =>
    locale === "en" && name.en ? name.en : name.zh;
  return (
    <section>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <h1 className="page-title mb-0">
          {d.tenantWide ? t("certificate.list.title") : t("certificate.list.ownTitle")}
        </h1>
        <Link to={`/t/${d.slug}/registry`} className="text-sm text-brand-700 hover:underline">
          {t("certificate.registry.link")}
        </Link>
      </div>

      {d.tenantWide ? (
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
              placeholder={t("certificate.list.searchPlaceholder")}
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
          <IndustryFilter value={d.filters.industry} />
          <DistrictFilter value={d.filters.district} districts={d.districts} />
          <FilterActions resetTo={base} className="sm:col-span-2 lg:col-span-6" />
        </Form>
      ) : null}

      <div className="card overflow-x-auto p-0">
        <table className="table" data-testid="certificate-table">
          <thead>
            <tr>
              <th scope="col">{t("certificate.number")}</th>
              <th scope="col">{t("enterprise.name")}</th>
              <th scope="col">{t("enterprise.creditCode")}</th>
              <th scope="col">{t("certificate.level")}</th>
              <th scope="col">{t("certificate.validUntil")}</th>
              <th scope="col">{t("common.status")}</th>
            </tr>
          </thead>
          <tbody>
            {d.items.length === 0 ? (
              <tr>
                <td colSpan={6} className="py-8 text-center text-slate-500">
                  {t("certificate.list.empty")}
                </td>
              </tr>
            ) : (
              d.items.map((c) => (
                <tr key={c.id} data-certificate={c.id}>
                  <td>
                    <Link
                      to={`${base}/${c.id}`}
                      className="font-mono text-sm font-medium text-brand-700 hover:underline"
                    >
                      {c.number}
                    </Link>
                  </td>
                  <td>{c.enterpriseName}</td>
                  <td className="font-mono text-xs">{c.creditCode}</td>
                  <td>{levelName(c.levelName)}</td>
                  <td>{formatDate(c.validUntil, locale)}</td>
                  <td>
                    <CertificateStatusBadge status={c.status} />
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
      ? translate(d.locale, d.tenantWide ? "certificate.list.title" : "certificate.list.ownTitle")
      : "SafeGrade",
  },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
