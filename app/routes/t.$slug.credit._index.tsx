/**
 * GET /t/<slug>/credit — credit-list records (失信名单). Regulators and tenant admins see every record
 * of the tenant, the removed archive included, with filters; an enterprise sees its own records
 * (from the notice on) with their deadlines.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { CreditStatusBadge, useLooseT } from "~/components/credit-status";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pagination } from "~/components/pagination";
import { getCreditSettings, listCreditRecords } from "~/data/credit-records.server";
import { translate } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { CREDIT_CONDITIONS, CREDIT_STATUSES } from "~/lib/credit";
import { formatDate } from "~/lib/datetime";
import { can } from "~/lib/permissions";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";
import { FilterActions, FilterSelect } from "~/components/list-filters";
import { pageParam } from "~/lib/paging";
import { parseIntParam } from "~/lib/http/int-param";
import { enterpriseScope } from "~/data/credit/enterprise-scope.server";
import { INDUSTRY_KEYS, SIZE_CLASSES } from "~/lib/domain";
import { industryLabel } from "~/lib/dashboard-tables";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "read:credit:own",
    "read:credit:any",
  );
  const locale = await getLocale(request);
  const search = new URL(request.url).searchParams;
  const yearParam = parseIntParam(search.get("year"), { min: 1990, max: 2200 });
  const year = yearParam.ok ? yearParam.value : undefined;
  const page = pageParam(search.get("page"));
  // District / industry: the dashboard's drill-down links keep its filters (enterprises' records only).
  const districtParam = (search.get("district") ?? "").slice(0, 12);
  const district = tenant.districts.some((x) => x.code === districtParam) ? districtParam : "";
  const industryParam = search.get("industry") ?? "";
  const industry = INDUSTRY_KEYS.find((k) => k === industryParam) ?? "";
  const sizeParam = search.get("size") ?? "";
  const size = SIZE_CLASSES.find((k) => k === sizeParam) ?? "";
  const canScope = can(member.permissions, "read:credit:any");
  const scope = canScope
    ? await enterpriseScope({ tenantId: tenant._id, districtCode: district || undefined, industry: industry || undefined, sizeClass: size || undefined, q: (search.get("q") ?? "").slice(0, 100) })
    : null;
  const filters = {
    district: scope ? district : "",
    industry: scope ? industry : "",
    size: scope ? size : "",
    status: search.get("status") ?? "",
    condition: search.get("condition") ?? "",
    year: year ? String(year) : "",
    q: (search.get("q") ?? "").slice(0, 100),
  };
  const result = await listCreditRecords({
    tenantId: tenant._id,
    member,
    filters: { status: filters.status, condition: filters.condition, year, q: filters.q, page, scope },
  });
  const settings = await getCreditSettings({ tenantId: tenant._id });
  return {
    slug: tenant.slug,
    locale,
    tenantWide: can(member.permissions, "read:credit:any"),
    canCreate: can(member.permissions, "manage:credit:any") && member.roles.includes("regulator"),
    conditions: settings.conditions,
    districtName: tenant.districts.find((x) => x.code === filters.district)?.name ?? "",
    filters,
    ...result,
  };
}

export default function CreditList() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const loose = useLooseT();
  const locale = useLocale();
  const base = `/t/${d.slug}/credit`;
  const conditions = CREDIT_CONDITIONS.filter((c) => d.conditions.includes(c.key));
  return (
    <section>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <h1 className="page-title mb-0">
          {d.tenantWide ? t("credit.list.title") : t("credit.list.ownTitle")}
        </h1>
        {d.canCreate ? (
          <Link to={`${base}/new`} className="btn-primary" data-testid="credit-new">
            {t("credit.list.new")}
          </Link>
        ) : null}
      </div>

      <Form
        method="get"
        key={`${d.filters.q}|${d.filters.status}|${d.filters.condition}|${d.filters.year}|${d.filters.district}|${d.filters.industry}|${d.filters.size}`}
        className="card mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-5"
        role="search"
        data-testid="credit-filters"
      >
        {d.filters.district ? <input type="hidden" name="district" value={d.filters.district} /> : null}
        {d.filters.industry ? <input type="hidden" name="industry" value={d.filters.industry} /> : null}
        {d.filters.size ? <input type="hidden" name="size" value={d.filters.size} /> : null}
        {d.filters.district || d.filters.industry || d.filters.size ? (
          <p className="text-sm text-slate-700 sm:col-span-2 lg:col-span-5" data-testid="credit-scope">
            {t("credit.list.scope", {
              scope: [d.districtName, d.filters.industry ? industryLabel(d.filters.industry, locale) : "", d.filters.size ? loose(`enterprise.size.${d.filters.size}`) : ""].filter(Boolean).join(" · "),
            })}
          </p>
        ) : null}
        <label className="lg:col-span-2">
          <span className="sr-only">{t("common.search")}</span>
          <input
            type="search"
            name="q"
            defaultValue={d.filters.q}
            placeholder={t("credit.list.search")}
            className="input"
            maxLength={100}
          />
        </label>
        <FilterSelect
          name="status"
          label={t("credit.field.status")}
          value={d.filters.status}
          allLabel={t("credit.list.allStatuses")}
          options={CREDIT_STATUSES.filter((s) => d.tenantWide || s !== "draft").map((s) => ({
            value: String(s),
            label: t(`credit.status.${s}`),
          }))}
        />
        <FilterSelect
          name="condition"
          label={t("credit.field.condition")}
          value={d.filters.condition}
          allLabel={t("credit.list.allConditions")}
          options={conditions.map((c) => ({
            value: String(c.key),
            label: loose(`credit.condition.${c.key}`),
          }))}
        />
        <FilterSelect
          name="year"
          label={t("credit.field.listedAt")}
          value={d.filters.year}
          allLabel={t("credit.list.allYears")}
          options={d.years.map((y) => ({ value: String(y), label: y }))}
        />
        <FilterActions resetTo={base} className="sm:col-span-2 lg:col-span-5" />
      </Form>

      <div className="card overflow-x-auto p-0">
        <table className="table" data-testid="credit-table">
          <thead>
            <tr>
              <th scope="col">{t("credit.field.subjectName")}</th>
              <th scope="col" className="hidden sm:table-cell">
                {t("credit.field.creditCode")}
              </th>
              <th scope="col" className="hidden md:table-cell">
                {t("credit.field.condition")}
              </th>
              <th scope="col">{t("credit.field.status")}</th>
              <th scope="col">{t("credit.list.deadline")}</th>
            </tr>
          </thead>
          <tbody>
            {d.items.length === 0 ? (
              <tr>
                <td colSpan={5} className="py-8 text-center text-slate-500">
                  {t("credit.list.empty")}
                </td>
              </tr>
            ) : (
              d.items.map((r) => (
                <tr key={r.id} data-credit-record={r.id} data-status={r.status}>
                  <td>
                    <Link
                      to={`${base}/${r.id}`}
                      className="font-medium text-brand-700 hover:underline"
                    >
                      {r.subjectName}
                    </Link>
                    <div className="font-mono text-xs text-slate-500 sm:hidden">{r.creditCode}</div>
                  </td>
                  <td className="hidden font-mono text-xs sm:table-cell">{r.creditCode}</td>
                  <td className="hidden max-w-xs text-sm md:table-cell">
                    {loose(`credit.condition.${r.conditionKey}`)}
                  </td>
                  <td>
                    <CreditStatusBadge status={r.status} />
                  </td>
                  <td className="whitespace-nowrap text-sm">
                    {r.status === "notified" && r.defenceDeadline
                      ? t("credit.detail.defenceUntil", {
                          date: formatDate(r.defenceDeadline, locale),
                        })
                      : r.status === "published" && r.endsAt
                        ? formatDate(r.endsAt, locale)
                        : r.status === "removed" && r.removalReason
                          ? loose(`credit.removalReason.${r.removalReason}`)
                          : "—"}
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
      ? translate(d.locale, d.tenantWide ? "credit.list.title" : "credit.list.ownTitle")
      : "SafeGrade",
  },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
