import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pagination } from "~/components/pagination";
import { districtOptions, listEnterprises } from "~/data/enterprises.server";
import { districtName } from "~/data/tenants.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";
import { INDUSTRY_KEYS, SIZE_CLASSES } from "~/lib/domain";
import { can } from "~/lib/permissions";
import { visibleDistricts } from "~/lib/district-scope";
import { requireTenantPermission } from "~/tenant.server";
import {
  DistrictFilter,
  FilterActions,
  FilterSelect,
  IndustryFilter,
} from "~/components/list-filters";
import { pageParam } from "~/lib/paging";

const PAGE_SIZE = 20;

/** Filters come from the URL; anything malformed is ignored rather than an error page. */
const filterSchema = z.object({
  q: z.string().trim().max(100).catch(""),
  district: z.string().trim().max(12).catch(""),
  industry: z.enum(INDUSTRY_KEYS).optional().catch(undefined),
  size: z.enum(SIZE_CLASSES).optional().catch(undefined),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:enterprise:any");
  const locale = await getLocale(request);
  const url = new URL(request.url);
  const filters = filterSchema.parse({
    q: url.searchParams.get("q") ?? "",
    district: url.searchParams.get("district") ?? "",
    industry: url.searchParams.get("industry") ?? undefined,
    size: url.searchParams.get("size") ?? undefined,
  });
  const result = await listEnterprises({
    tenantId: tenant._id,
    q: filters.q,
    districtCode: filters.district,
    industry: filters.industry,
    sizeClass: filters.size,
    page: pageParam(url.searchParams.get("page")),
    pageSize: PAGE_SIZE,
    scope: member,
  });
  return {
    slug: tenant.slug,
    locale,
    filters: {
      q: filters.q,
      district: filters.district,
      industry: filters.industry ?? "",
      size: filters.size ?? "",
    },
    items: result.items.map((e) => ({
      id: String(e._id),
      name: e.name,
      creditCode: e.creditCode,
      industry: e.industry,
      sizeClass: e.sizeClass,
      district: districtName(tenant, e.districtCode),
      status: e.status,
    })),
    total: result.total,
    page: result.page,
    pageSize: result.pageSize,
    districts: visibleDistricts(member, districtOptions(tenant)),
    canCreate: can(member.permissions, "create:enterprise:any"),
  };
}

export default function EnterpriseList() {
  const { slug, filters, items, total, page, pageSize, districts, canCreate } =
    useLoaderData<typeof loader>();
  const t = useT();
  const base = `/t/${slug}/enterprises`;
  const exportQuery = new URLSearchParams(
    Object.entries(filters).filter(([, v]) => v !== ""),
  ).toString();
  return (
    <section>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <h1 className="page-title mb-0">{t("enterprise.list.title")}</h1>
        <div className="flex flex-wrap items-center gap-3">
          <a
            href={`/t/${slug}/enterprises.csv?${exportQuery}`}
            className="text-sm text-brand-700 hover:underline"
            download
            data-testid="export-csv"
          >
            {t("dashboard.export.csv")}
          </a>
          <a
            href={`/t/${slug}/enterprises.xlsx?${exportQuery}`}
            className="text-sm text-brand-700 hover:underline"
            download
            data-testid="export-xlsx"
          >
            {t("dashboard.export.xlsx")}
          </a>
          {canCreate ? (
            <Link to={`${base}/import`} className="btn-secondary" data-testid="import-enterprises">
              {t("dashboard.import.link")}
            </Link>
          ) : null}
          {canCreate ? (
            <Link to={`${base}/new`} className="btn-primary" data-testid="create-enterprise">
              {t("enterprise.create.title")}
            </Link>
          ) : null}
        </div>
      </div>

      {/* Keyed by the query so "reset" and back/forward refill the inputs. */}
      <Form
        method="get"
        key={`${filters.q}|${filters.district}|${filters.industry}|${filters.size}`}
        className="card mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-5"
        role="search"
      >
        <label className="lg:col-span-2">
          <span className="sr-only">{t("common.search")}</span>
          <input
            type="search"
            name="q"
            defaultValue={filters.q}
            placeholder={t("enterprise.list.searchPlaceholder")}
            className="input"
            maxLength={100}
          />
        </label>
        <DistrictFilter value={filters.district} districts={districts} />
        <IndustryFilter value={filters.industry} />
        <FilterSelect
          name="size"
          label={t("enterprise.sizeClass")}
          value={filters.size}
          allLabel={t("enterprise.list.allSizes")}
          options={SIZE_CLASSES.map((size) => ({
            value: String(size),
            label: t(`enterprise.size.${size}`),
          }))}
        />
        <FilterActions resetTo={base} className="sm:col-span-2 lg:col-span-5" />
      </Form>

      <div className="card overflow-x-auto p-0">
        <table className="table" data-testid="enterprise-table">
          <thead>
            <tr>
              <th scope="col">{t("enterprise.name")}</th>
              <th scope="col">{t("enterprise.creditCode")}</th>
              <th scope="col">{t("enterprise.district")}</th>
              <th scope="col">{t("enterprise.industry")}</th>
              <th scope="col">{t("enterprise.sizeClass")}</th>
              <th scope="col">{t("enterprise.status")}</th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0 ? (
              <tr>
                <td colSpan={6} className="py-8 text-center text-slate-500">
                  {t("enterprise.list.empty")}
                </td>
              </tr>
            ) : (
              items.map((e) => (
                <tr key={e.id}>
                  <td>
                    <Link
                      to={`${base}/${e.id}`}
                      className="font-medium text-brand-700 hover:underline"
                    >
                      {e.name}
                    </Link>
                  </td>
                  <td className="font-mono text-xs">{e.creditCode}</td>
                  <td>{e.district}</td>
                  <td>{t(`industry.${e.industry}`)}</td>
                  <td>{t(`enterprise.size.${e.sizeClass}`)}</td>
                  <td>{t(`enterprise.status.${e.status}`)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pagination page={page} pageSize={pageSize} total={total} />
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "enterprise.list.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
