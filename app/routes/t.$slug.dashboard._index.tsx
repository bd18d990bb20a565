/**
 * GET /t/<slug>/dashboard — the regulator's dashboard (regulator and tenant admin): key figures,
 * charts (server-rendered SVG, each bar a link to the filtered list behind it, the numbers also
 * as a table), filters in the URL, exports and the monthly report. POST refreshes the figures.
 */
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { useMemo } from "react";
import {
  BarChart,
  ChartTable,
  StackedBar,
  TargetTrendChart,
  type ChartDatum,
} from "~/components/charts";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { dashboardQuery, getDashboard, refreshDashboardSnapshot } from "~/data/dashboard.server";
import { districtOptions } from "~/data/enterprises.server";
import { translate } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import {
  DASHBOARD_TABLES,
  certStatusLabel,
  conditionLabel,
  creditStatusLabel,
  dashboardTable,
  industryLabel,
  levelLabel,
  stateLabelOf,
  type DashboardTableKey,
  type PlainTable,
} from "~/lib/dashboard-tables";
import { SIZE_CLASSES } from "~/lib/domain";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";
import { visibleDistricts } from "~/lib/district-scope";
import { DistrictFilter, FilterSelect, IndustryFilter } from "~/components/list-filters";
import { readForm } from "~/lib/http/read-form.server";

const OVERDUE_SHOWN = 20;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:dashboard:any");
  const locale = await getLocale(request);
  const url = new URL(request.url);
  const now = new Date();
  const all = await getDashboard({ tenant, search: url.searchParams, now, scope: member });
  // The page lists the first overdue items (the exports have them all); tables are built from
  // the figures in the component, so the payload carries each number once.
  const figures = { ...all, overdue: all.overdue.slice(0, OVERDUE_SHOWN) };
  const thisYear = Number(
    new Intl.DateTimeFormat("en", { timeZone: "Asia/Shanghai", year: "numeric" }).format(now),
  );
  const month = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
  }).format(now);
  return {
    slug: tenant.slug,
    locale,
    figures,
    query: dashboardQuery(figures.filters),
    years: Array.from({ length: 5 }, (_, i) => thisYear - i),
    month: month.slice(0, 7),
    districts: visibleDistricts(member, districtOptions(tenant)),
    refreshed: url.searchParams.get("refreshed") === "1",
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant } = await requireTenantPermission(request, params, "read:dashboard:any");
  await readForm(request);
  const snapshot = await refreshDashboardSnapshot({ tenantId: tenant._id });
  const url = new URL(request.url);
  url.searchParams.set("refreshed", "1");
  // The next view may land on another instance: it must not show an older copy from its memory.
  url.searchParams.set("asOf", String(snapshot.computedAt.getTime()));
  return redirect(`/t/${tenant.slug}/dashboard?${url.searchParams.toString()}`);
}

function formatAsOf(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: "Asia/Shanghai",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso));
}

function ExportLinks({ slug, table, query }: { slug: string; table: string; query: string }) {
  const t = useT();
  const q = `table=${table}&${query}`;
  return (
    <span className="flex gap-3 text-xs">
      <a
        href={`/t/${slug}/dashboard.csv?${q}`}
        className="text-brand-700 hover:underline"
        data-export={`${table}-csv`}
        download
      >
        {t("dashboard.export.csv")}
      </a>
      <a
        href={`/t/${slug}/dashboard.xlsx?${q}`}
        className="text-brand-700 hover:underline"
        data-export={`${table}-xlsx`}
        download
      >
        {t("dashboard.export.xlsx")}
      </a>
    </span>
  );
}

function Panel({
  title,
  slug,
  table,
  query,
  tableData,
  children,
  wide = false,
}: {
  title: string;
  slug: string;
  table: DashboardTableKey;
  query: string;
  tableData: PlainTable;
  children: React.ReactNode;
  wide?: boolean;
}) {
  const t = useT();
  return (
    <section
      className={`card ${wide ? "lg:col-span-2" : ""}`}
      data-panel={table}
      aria-label={title}
    >
      <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-base font-semibold text-slate-900">{title}</h2>
        <ExportLinks slug={slug} table={table} query={query} />
      </div>
      {children}
      <ChartTable
        summary={t("dashboard.showTable")}
        columns={tableData.columns}
        rows={tableData.rows}
        testId={`table-${table}`}
      />
    </section>
  );
}

export default function Dashboard() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const f = d.figures;
  const tables = useMemo(
    () =>
      Object.fromEntries(
        DASHBOARD_TABLES.map((key) => [key, dashboardTable(f, key, locale)]),
      ) as Record<DashboardTableKey, PlainTable>,
    [f, locale],
  );
  const base = `/t/${d.slug}`;
  const dims = (
    extra: Record<string, string>,
    include: Array<"district" | "industry" | "size"> = ["district", "industry", "size"],
  ) => {
    const p = new URLSearchParams(extra);
    if (include.includes("district") && f.filters.district) p.set("district", f.filters.district);
    if (include.includes("industry") && f.filters.industry) p.set("industry", f.filters.industry);
    if (include.includes("size") && f.filters.size) p.set("size", f.filters.size);
    return p.toString();
  };
  const year = String(f.filters.year);
  // The target counts first-time certifications only; renewals are shown apart (Step 12).
  const percent = f.target > 0 ? Math.round((f.firstTimeThisYear / f.target) * 1000) / 10 : 0;

  const levelData: ChartDatum[] = f.byLevel.map((r) => ({
    key: `${r.level}|${r.status}`,
    label: r.level
      ? `${levelLabel(f, r.level, locale)} · ${certStatusLabel(r.status, locale)}`
      : levelLabel(f, "", locale),
    value: r.count,
    href: r.level
      ? `${base}/certificates?${dims({ level: r.level, status: r.status }, ["district", "industry"])}`
      : `${base}/enterprises?${dims({})}`,
  }));
  const stateData: ChartDatum[] = f.byState.map((r) => ({
    key: r.key,
    label: stateLabelOf(r.key, locale),
    value: r.count,
    href: `${base}/applications?${dims({ state: r.key, cycle: year })}`,
  }));
  const creditStatusData: ChartDatum[] = f.creditByStatus.map((r) => ({
    key: r.key,
    label: creditStatusLabel(r.key, locale),
    value: r.count,
    href: `${base}/credit?${dims({ status: r.key, year })}`,
  }));
  const creditConditionData: ChartDatum[] = f.creditByCondition.map((r) => ({
    key: r.key,
    label: conditionLabel(r.key, locale),
    value: r.count,
    href: `${base}/credit?${dims({ condition: r.key, year })}`,
  }));
  const districtData: ChartDatum[] = f.byDistrict.map((r) => ({
    key: r.key,
    label: r.name,
    value: r.enterprises,
    href: `${base}/enterprises?${dims({ district: r.key }, ["industry", "size"])}`,
  }));
  const industryData: ChartDatum[] = f.byIndustry.map((r) => ({
    key: r.key,
    label: industryLabel(r.key, locale),
    value: r.enterprises,
    href: `${base}/enterprises?${dims({ industry: r.key }, ["district", "size"])}`,
  }));
  const gapData: ChartDatum[] = f.gaps.map((g) => ({
    key: g.elementId,
    label: locale === "en" ? g.title.en || g.title.zh : g.title.zh,
    value: g.gap,
    href: `${base}/applications?${dims({ queue: "done", cycle: year })}`,
  }));

  return (
    <section className="space-y-4" data-testid="dashboard">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="page-title mb-1">{t("dashboard.title")}</h1>
          <p className="text-sm text-slate-600">{t("dashboard.intro")}</p>
        </div>
        <Form method="post" className="flex flex-wrap items-center gap-2 text-sm text-slate-600">
          <span data-testid="as-of" title={t("dashboard.freshness")}>
            {t("dashboard.asOf", { time: formatAsOf(f.computedAt, locale) })}
          </span>
          <button
            type="submit"
            className="btn-secondary"
            disabled={navigation.state !== "idle"}
            data-testid="refresh"
          >
            {t("dashboard.refresh")}
          </button>
        </Form>
      </div>
      {d.refreshed ? (
        <p role="status" className="rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">
          {t("dashboard.refreshed")}
        </p>
      ) : null}

      <Form
        method="get"
        className="card grid gap-3 sm:grid-cols-2 lg:grid-cols-5"
        aria-label={t("dashboard.filters")}
        key={d.query}
      >
        <FilterSelect
          name="year"
          label={t("dashboard.filter.year")}
          value={year}
          options={d.years.map((y) => ({ value: String(y), label: y }))}
          visibleLabel
        />
        <DistrictFilter value={f.filters.district} districts={d.districts} visibleLabel />
        <IndustryFilter value={f.filters.industry} visibleLabel />
        <FilterSelect
          name="size"
          label={t("enterprise.sizeClass")}
          value={f.filters.size}
          allLabel={t("enterprise.list.allSizes")}
          options={SIZE_CLASSES.map((s) => ({
            value: String(s),
            label: t(`enterprise.size.${s}`),
          }))}
          visibleLabel
        />
        <div className="flex items-end gap-2">
          <button type="submit" className="btn-primary" data-testid="apply-filters">
            {t("dashboard.filter.apply")}
          </button>
          <Link to={`${base}/dashboard`} className="btn-secondary">
            {t("dashboard.filter.reset")}
          </Link>
        </div>
      </Form>

      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-6" data-testid="kpis">
        <Kpi
          label={t("dashboard.kpi.enterprises")}
          value={f.enterprisesTotal}
          href={`${base}/enterprises?${dims({})}`}
          name="enterprises"
        />
        <Kpi
          label={t("dashboard.kpi.certifiedThisYear", { year })}
          value={f.certifiedThisYear}
          detail={t("dashboard.kpi.targetFirstTime", { target: f.target, percent, first: f.firstTimeThisYear, renewals: f.renewalsThisYear })}
          href={`${base}/certificates?${dims({ issued: year }, ["district", "industry"])}`}
          name="certified"
        />
        <Kpi
          label={t("dashboard.kpi.applications", { year })}
          value={f.applicationsTotal}
          href={`${base}/applications?${dims({ queue: "all", cycle: year })}`}
          name="applications"
        />
        <Kpi
          label={t("dashboard.kpi.overdue")}
          value={f.overdueCounts.acceptance + f.overdueCounts.review}
          detail={t("dashboard.kpi.overdueDetail", f.overdueCounts)}
          href={`${base}/applications?${dims({ overdue: "any" })}`}
          name="overdue"
        />
        <Kpi
          label={t("dashboard.kpi.expiring")}
          value={f.expiring.within90}
          detail={`${t("dashboard.expiring.days", { days: 30 })}: ${f.expiring.within30}`}
          href={`${base}/certificates?${dims({ expiring: "90" }, ["district", "industry"])}`}
          name="expiring"
        />
        <Kpi
          label={t("dashboard.kpi.credit", { year })}
          value={f.creditTotal}
          href={`${base}/credit?year=${year}`}
          name="credit"
        />
      </dl>

      <section className="card" aria-label={t("dashboard.overdue.title")} data-panel="overdue">
        <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2">
          <h2 className="text-base font-semibold text-slate-900">{t("dashboard.overdue.title")}</h2>
          <ExportLinks slug={d.slug} table="overdue" query={d.query} />
        </div>
        <p className="mb-2 text-xs text-slate-500">{t("dashboard.overdue.desc")}</p>
        {f.overdue.length === 0 ? (
          <p className="text-sm text-slate-500">{t("dashboard.overdue.none")}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="table" data-testid="overdue-list">
              <thead>
                <tr>
                  {tables.overdue.columns.map((c) => (
                    <th key={c} scope="col">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {f.overdue.map((o) => (
                  <tr key={o.id} data-overdue={o.kind}>
                    <td>
                      <Link
                        to={`${base}/applications/${o.id}`}
                        className="text-brand-700 hover:underline"
                      >
                        {o.enterpriseName || "—"}
                      </Link>
                    </td>
                    <td className="font-mono text-xs">{o.creditCode}</td>
                    <td>{o.cycle}</td>
                    <td>
                      <span className="badge bg-red-50 text-red-700">
                        {t(
                          o.kind === "acceptance"
                            ? "dashboard.overdue.acceptance"
                            : "dashboard.overdue.review",
                        )}
                      </span>
                    </td>
                    <td>{o.deadline.slice(0, 10)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {f.overdueCounts.acceptance + f.overdueCounts.review > f.overdue.length ? (
              <p className="mt-2 text-xs text-slate-500">
                {t("dashboard.overdue.more", {
                  shown: f.overdue.length,
                  total: f.overdueCounts.acceptance + f.overdueCounts.review,
                })}
              </p>
            ) : null}
          </div>
        )}
      </section>

      <div className="grid gap-4 lg:grid-cols-2">
        <Panel
          title={t("dashboard.trend.title")}
          slug={d.slug}
          table="trend"
          query={d.query}
          tableData={tables.trend}
        >
          <TargetTrendChart
            title={t("dashboard.trend.title")}
            desc={t("dashboard.trend.desc")}
            months={f.trend.map((m) => ({
              ...m,
              href: `${base}/certificates?${dims({ issued: `${year}-${String(m.month).padStart(2, "0")}` }, ["district", "industry"])}`,
            }))}
            target={f.target}
            progressLabel={
              f.target > 0
                ? t("dashboard.trend.progress", { total: f.certifiedThisYear, target: f.target, percent })
                : t("dashboard.trend.noTarget", { total: f.certifiedThisYear })
            }
            monthLabel={(m) => t("dashboard.month", { month: m })}
            testId="chart-trend"
          />
        </Panel>
        <Panel
          title={t("dashboard.levels.title")}
          slug={d.slug}
          table="levels"
          query={d.query}
          tableData={tables.levels}
        >
          <StackedBar
            title={t("dashboard.levels.title")}
            desc={t("dashboard.levels.desc")}
            data={levelData}
            testId="chart-levels"
          />
        </Panel>
        <Panel
          title={t("dashboard.states.title")}
          slug={d.slug}
          table="states"
          query={d.query}
          tableData={tables.states}
        >
          <BarChart
            title={t("dashboard.states.title")}
            desc={t("dashboard.states.desc")}
            data={stateData}
            testId="chart-states"
          />
        </Panel>
        <Panel
          title={t("dashboard.expiring.title")}
          slug={d.slug}
          table="expiring"
          query={d.query}
          tableData={tables.expiring}
        >
          <BarChart
            title={t("dashboard.expiring.title")}
            desc={t("dashboard.expiring.title")}
            data={[30, 90].map((days) => ({
              key: String(days),
              label: t("dashboard.expiring.days", { days }),
              value: days === 30 ? f.expiring.within30 : f.expiring.within90,
              href: `${base}/certificates?${dims({ expiring: String(days) }, ["district", "industry"])}`,
            }))}
            testId="chart-expiring"
          />
        </Panel>
        <Panel
          title={t("dashboard.creditStatus.title")}
          slug={d.slug}
          table="creditStatus"
          query={d.query}
          tableData={tables.creditStatus}
        >
          <BarChart
            title={t("dashboard.creditStatus.title")}
            desc={t("dashboard.creditStatus.desc")}
            data={creditStatusData}
            testId="chart-credit-status"
          />
        </Panel>
        <Panel
          title={t("dashboard.creditCondition.title")}
          slug={d.slug}
          table="creditCondition"
          query={d.query}
          tableData={tables.creditCondition}
        >
          <BarChart
            title={t("dashboard.creditCondition.title")}
            desc={t("dashboard.creditCondition.desc")}
            data={creditConditionData}
            testId="chart-credit-condition"
          />
        </Panel>
        <Panel
          title={t("dashboard.districts.title")}
          slug={d.slug}
          table="districts"
          query={d.query}
          tableData={tables.districts}
        >
          <BarChart
            title={t("dashboard.districts.title")}
            desc={t("dashboard.districts.desc")}
            data={districtData}
            testId="chart-districts"
          />
        </Panel>
        <Panel
          title={t("dashboard.industries.title")}
          slug={d.slug}
          table="industries"
          query={d.query}
          tableData={tables.industries}
        >
          <BarChart
            title={t("dashboard.industries.title")}
            desc={t("dashboard.industries.desc")}
            data={industryData}
            testId="chart-industries"
          />
        </Panel>
        <Panel
          title={t("dashboard.gaps.title")}
          slug={d.slug}
          table="gaps"
          query={d.query}
          tableData={tables.gaps}
          wide
        >
          <p className="mb-2 text-xs text-slate-500">{t("dashboard.gaps.desc")}</p>
          {gapData.length === 0 ? (
            <p className="text-sm text-slate-500">{t("dashboard.gaps.empty")}</p>
          ) : (
            <BarChart
              title={t("dashboard.gaps.title")}
              desc={t("dashboard.gaps.desc")}
              data={gapData}
              width={800}
              signed
              format={(v) => (v > 0 ? `+${v}` : String(v))}
              testId="chart-gaps"
            />
          )}
        </Panel>
      </div>

      <section
        className="card flex flex-wrap items-end gap-4"
        aria-label={t("dashboard.report.title")}
      >
        <a
          href={`/t/${d.slug}/dashboard.xlsx?table=all&${d.query}`}
          className="btn-secondary"
          download
        >
          {t("dashboard.export.all")}
        </a>
        <form
          method="get"
          action={`/t/${d.slug}/dashboard/report.pdf`}
          className="flex flex-wrap items-end gap-2"
        >
          <label>
            <span className="label">{t("dashboard.report.month")}</span>
            <input type="month" name="month" defaultValue={d.month} className="input" required />
          </label>
          {f.filters.district ? (
            <input type="hidden" name="district" value={f.filters.district} />
          ) : null}
          {f.filters.industry ? (
            <input type="hidden" name="industry" value={f.filters.industry} />
          ) : null}
          {f.filters.size ? <input type="hidden" name="size" value={f.filters.size} /> : null}
          <button type="submit" className="btn-secondary">
            {t("dashboard.report.download")}
          </button>
        </form>
      </section>
    </section>
  );
}

function Kpi({
  label,
  value,
  detail,
  href,
  name,
}: {
  label: string;
  value: number;
  detail?: string;
  href: string;
  name: string;
}) {
  return (
    <div className="card p-4" data-kpi={name}>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="mt-1">
        <a
          href={href}
          className="text-2xl font-semibold text-slate-900 hover:text-brand-700"
          data-value={value}
        >
          {value}
        </a>
        {detail ? <span className="mt-1 block text-xs text-slate-500">{detail}</span> : null}
      </dd>
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "dashboard.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
