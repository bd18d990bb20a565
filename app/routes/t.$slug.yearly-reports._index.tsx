/**
 * GET /t/<slug>/yearly-reports — yearly self-assessment reports. The regulator sees every report
 * (slim rows, one bounded page, filter due / overdue / submitted / revocation review); an
 * enterprise sees its own.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { TableCard } from "~/components/list-table";
import { Pagination } from "~/components/pagination";
import {
  listYearlyReports,
  listYearlyReportsForEnterprise,
  yearlyReportDueDays,
  type YearlyReportListItem,
} from "~/data/certificates/yearly-reports.server";
import { YEARLY_REPORT_FILTERS, type YearlyReportFilter } from "~/lib/yearly-report";
import { translate } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { formatDate } from "~/lib/datetime";
import { pageParam } from "~/lib/paging";
import { can } from "~/lib/permissions";
import { groundText, isRevocationGroundKey } from "~/lib/revocation-grounds";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

function filterParam(raw: string | null): YearlyReportFilter {
  return YEARLY_REPORT_FILTERS.find((f) => f === raw) ?? "all";
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "read:certificate:own",
    "read:certificate:any",
  );
  const search = new URL(request.url).searchParams;
  const base = { slug: tenant.slug, locale: await getLocale(request), dueDays: yearlyReportDueDays(tenant.settings) };
  if (can(member.permissions, "read:certificate:any")) {
    const filter = filterParam(search.get("filter"));
    const result = await listYearlyReports({ tenantId: tenant._id, filter, page: pageParam(search.get("page")) });
    return { ...base, kind: "tenant" as const, filter, ...result };
  }
  const items = member.enterpriseId
    ? await listYearlyReportsForEnterprise({ tenantId: tenant._id, enterpriseId: member.enterpriseId })
    : [];
  return { ...base, kind: "enterprise" as const, filter: "all" as const, items, total: items.length, page: 1, pageSize: items.length || 1 };
}

export default function YearlyReports() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <section className="space-y-4">
      <h1 className="page-title">{t(d.kind === "tenant" ? "yearly.list.title" : "yearly.list.ownTitle")}</h1>
      <p className="text-sm text-slate-600">{t("yearly.list.intro", { days: d.dueDays })}</p>
      {d.kind === "tenant" ? (
        <nav className="flex flex-wrap gap-2" aria-label={t("yearly.col.state")} data-testid="yearly-filters">
          {YEARLY_REPORT_FILTERS.map((f) => (
            <Link
              key={f}
              to={`/t/${d.slug}/yearly-reports?filter=${f}`}
              className={f === d.filter ? "btn-primary py-1" : "btn-secondary py-1"}
              aria-current={f === d.filter ? "page" : undefined}
            >
              {t(`yearly.filter.${f}`)}
            </Link>
          ))}
        </nav>
      ) : null}
      <ReportTable slug={d.slug} items={d.items} showEnterprise={d.kind === "tenant"} />
      {d.kind === "tenant" ? <Pagination page={d.page} pageSize={d.pageSize} total={d.total} /> : null}
    </section>
  );
}

function ReportTable({ slug, items, showEnterprise }: { slug: string; items: YearlyReportListItem[]; showEnterprise: boolean }) {
  const t = useT();
  const locale = useLocale();
  return (
    <TableCard
      testId="yearly-table"
      headers={[
        showEnterprise ? t("yearly.col.enterprise") : null,
        t("yearly.col.certificate"),
        t("yearly.col.year"),
        t("yearly.col.due"),
        t("yearly.col.state"),
        t("yearly.col.score"),
        t("yearly.col.flags"),
      ]}
    >
      {items.length === 0 ? (
        <tr>
          <td colSpan={7} className="py-8 text-center text-slate-500">
            {t("yearly.list.empty")}
          </td>
        </tr>
      ) : (
        items.map((r) => (
          <tr key={r.id} data-report={r.id} data-state={r.state} data-review={r.review}>
            {showEnterprise ? <td className="font-medium">{r.enterpriseName}</td> : null}
            <td className="font-mono text-xs">
              <Link to={`/t/${slug}/yearly-reports/${r.id}`} className="text-brand-700 hover:underline">
                {r.certificateNumber}
              </Link>
            </td>
            <td>{r.year}</td>
            <td>{formatDate(r.dueAt, locale)}</td>
            <td>{t(`yearly.state.${r.state}`)}</td>
            <td>{r.score === null ? "—" : r.score.toFixed(1)}</td>
            <td className="text-xs">
              {r.review === "open" ? (
                <span className="rounded bg-red-100 px-2 py-0.5 font-medium text-red-800" data-testid="revocation-review-flag">
                  {t("yearly.flag.review")}
                </span>
              ) : null}
              {r.belowBand ? <span className="ml-1">{t("yearly.flag.belowBand")}</span> : null}
              {r.grounds.filter(isRevocationGroundKey).map((g) => (
                <span key={g} className="ml-1 block">
                  {groundText(g, locale)}
                </span>
              ))}
            </td>
          </tr>
        ))
      )}
    </TableCard>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: translate(d?.locale ?? "zh-CN", "yearly.list.title") },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
