/**
 * Item-by-item comparison of the self-assessment and the panel's review (Step 10): self score,
 * review score, the review's deductions with their notes, the enterprise's evidence. The authority
 * (and any reader of every application) and the panel see it once the report is filed; the
 * enterprise after the decision, when the tenant shows results. Paged by element; the filters
 * "only differences" and "only deductions" list matching items of every element.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { forbidden } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { loadReviewResults } from "~/data/grading/review-results.server";
import { filterRows, type AnswerSide, type ComparisonFilter } from "~/lib/review/comparison";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { textOf } from "~/lib/assessment/answers";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission } from "~/tenant.server";

const VIEWERS = ["read:assessment:own", "read:assessment:any", "read:assessment:assigned"] as const;

function filterOf(value: string | null): ComparisonFilter {
  return value === "diff" || value === "deductions" ? value : "all";
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, ...VIEWERS);
  const locale = await getLocale(request);
  const url = new URL(request.url);
  const filter = filterOf(url.searchParams.get("only"));
  const results = await loadReviewResults({ tenantId: tenant._id, id: params.id ?? "", member, locale });
  if (!results.ok) {
    if (results.access === "notFound") throw notFound();
    throw forbidden();
  }
  const { rubric, rows, doc, selfBreakdown, reviewBreakdown } = results;
  const elementIds = rubric.elements.map((e) => e.id);
  const requested = url.searchParams.get("element");
  const elementId = requested && elementIds.includes(requested) ? requested : (elementIds[0] ?? "");
  // Unfiltered: one element per page (a large rubric stays light); filtered: the matches of all.
  const shown = filter === "all" ? rows.filter((r) => r.elementId === elementId) : filterRows(rows, filter);
  const levelName = (key: string | null | undefined) => (key ? textOf(rubric.levels.find((l) => l.key === key)?.name ?? { zh: key }, locale) : null);
  const report = doc.review?.report;
  return {
    slug: tenant.slug,
    locale,
    id: String(doc._id),
    cycle: doc.cycle,
    enterpriseName: results.enterprise.name,
    filter,
    elementId,
    elements: rubric.elements.map((el) => {
      const self = selfBreakdown.elements.find((e) => e.id === el.id);
      const review = reviewBreakdown.elements.find((e) => e.id === el.id);
      return { id: el.id, title: textOf(el.title, locale), self: self?.obtained ?? null, review: review?.obtained ?? null, standard: self?.standard ?? 0 };
    }),
    counts: { diff: rows.filter((r) => r.differs).length, deductions: rows.filter((r) => r.deducted).length },
    rows: shown,
    selfScore: selfBreakdown.score,
    reviewScore: reviewBreakdown.score,
    report: report
      ? {
          level: levelName(report.recommendedLevel),
          scoreLevel: levelName(report.scoreLevel ?? reviewBreakdown.level),
          score: report.score ?? reviewBreakdown.score,
          reason: report.reason,
        }
      : null,
    legacy: results.legacy,
  };
}

function SideCell({ side, testId }: { side: AnswerSide; testId: string }) {
  const t = useT();
  if (side.choice === null) return <td className="text-slate-400" data-side={testId}>{t("assessment.choice.unanswered")}</td>;
  return (
    <td data-side={testId}>
      <p>
        {t(`assessment.choice.${side.choice}`)}
        {side.obtained !== null ? <span className="ml-2 text-xs text-slate-500">{t("comparison.points", { points: side.obtained })}</span> : null}
      </p>
      {side.naReason ? <p className="text-xs text-slate-600">{side.naReason}</p> : null}
      {side.note ? <p className="text-xs text-slate-500">{side.note}</p> : null}
    </td>
  );
}

export default function ComparisonPage() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const base = `/t/${d.slug}/applications/${d.id}`;
  const link = (filter: ComparisonFilter, elementId?: string) => {
    const q = new URLSearchParams();
    if (filter !== "all") q.set("only", filter);
    if (elementId) q.set("element", elementId);
    const s = q.toString();
    return `${base}/comparison${s ? `?${s}` : ""}`;
  };
  const fmt = (n: number | null) => (n === null ? "—" : n.toFixed(1));
  return (
    <section className="space-y-6" data-testid="comparison-page" data-filter={d.filter}>
      <div>
        <Link to={base} className="text-sm text-brand-600 hover:underline">
          ← {t("workflow.review.appPage")}
        </Link>
        <h1 className="page-title mb-1 mt-2">{t("comparison.title", { enterprise: d.enterpriseName, cycle: d.cycle })}</h1>
        <p className="text-sm text-slate-700" data-testid="comparison-scores">
          {t("comparison.scores", { self: fmt(d.selfScore), review: fmt(d.reviewScore) })}
        </p>
        {d.report ? (
          <p className="text-sm text-slate-700" data-testid="comparison-report">
            {t("comparison.report", { level: d.report.level ?? t("reviewReport.fail"), score: fmt(d.report.score), scoreLevel: d.report.scoreLevel ?? "—" })}
          </p>
        ) : null}
        {d.report?.reason ? <p className="whitespace-pre-wrap text-sm text-slate-700">{t("comparison.reportReason", { reason: d.report.reason })}</p> : null}
        {d.legacy ? <p className="text-xs text-slate-500">{t("comparison.legacy")}</p> : null}
        <p className="mt-2">
          <a href={`${base}/review-report.pdf`} className="text-sm text-brand-700 hover:underline" data-testid="review-report-pdf">
            {t("reviewSheet.reportPdf")}
          </a>
        </p>
      </div>

      <nav className="flex flex-wrap gap-2 text-sm" aria-label={t("comparison.filter.all")}>
        {(["all", "diff", "deductions"] as const).map((f) => (
          <Link key={f} to={link(f)} aria-current={d.filter === f ? "page" : undefined} className={d.filter === f ? "btn-primary py-1" : "btn-secondary py-1"} data-filter-link={f}>
            {t(`comparison.filter.${f}`)}
            {f === "diff" ? ` (${d.counts.diff})` : f === "deductions" ? ` (${d.counts.deductions})` : ""}
          </Link>
        ))}
      </nav>

      <div className="card overflow-x-auto p-0">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("reviewReport.element")}</th>
              <th scope="col">{t("reviewReport.standard")}</th>
              <th scope="col">{t("comparison.self")}</th>
              <th scope="col">{t("comparison.review")}</th>
            </tr>
          </thead>
          <tbody>
            {d.elements.map((el) => (
              <tr key={el.id} className={d.filter === "all" && el.id === d.elementId ? "bg-brand-50" : ""}>
                <td>
                  <Link to={link("all", el.id)} className="text-brand-700 hover:underline">
                    <span className="font-mono text-xs">{el.id}</span> {el.title}
                  </Link>
                </td>
                <td>{el.standard}</td>
                <td>{el.self ?? "—"}</td>
                <td>{el.review ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="card overflow-x-auto p-0">
        <table className="table" data-testid="comparison-rows">
          <thead>
            <tr>
              <th scope="col" className="w-1/3">{t("comparison.item")}</th>
              <th scope="col">{t("comparison.self")}</th>
              <th scope="col">{t("comparison.review")}</th>
              <th scope="col">{t("comparison.deductions")}</th>
              <th scope="col">{t("comparison.evidence")}</th>
            </tr>
          </thead>
          <tbody>
            {d.rows.length === 0 ? (
              <tr>
                <td colSpan={5} className="text-slate-500">{t("comparison.none")}</td>
              </tr>
            ) : null}
            {d.rows.map((r) => (
              <tr key={r.itemId} data-item={r.itemId} data-diff={r.differs ? "true" : undefined} className={r.differs ? "bg-amber-50" : ""}>
                <td>
                  <span className="mr-1 font-mono text-xs text-slate-500">{r.itemId}</span>
                  {r.text}
                  <span className="ml-1 text-xs text-slate-500">{t("comparison.points", { points: r.points })}</span>
                </td>
                <SideCell side={r.self} testId="self" />
                <SideCell side={r.review} testId="review" />
                <td>
                  {r.review.deductions.map((x, i) => (
                    <p key={i} className="text-xs text-slate-700">
                      − {x.text} × {x.count}
                      {x.note ? <span className="block text-slate-500">{x.note}</span> : null}
                    </p>
                  ))}
                </td>
                <td>
                  <ul className="text-xs">
                    {r.evidence.map((e) => (
                      <li key={e.fileId}>
                        <a href={`/t/${d.slug}/assessments/${d.id}/evidence/${e.fileId}?inline=1`} target="_blank" rel="noreferrer" className="text-brand-700 hover:underline">
                          {e.filename}
                        </a>
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? `${translate(d.locale, "reviewSheet.comparison")} · ${d.enterpriseName}` : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
