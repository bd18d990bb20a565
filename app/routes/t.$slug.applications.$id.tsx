/**
 * One grading application: status, deadlines, the full history with reasons, and the actions this
 * member may take now (enterprise: submit / withdraw / consent; regulator: accept, return, assign,
 * approve, reject, notice, certify). Every action goes through `applyApplicationEvent`.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Notice } from "~/components/form";
import { ActionPanel } from "~/components/workflow-actions";
import {
  DeadlineText,
  LevelName,
  StateBadge,
  Timeline,
  actionLabel,
} from "~/components/workflow-ui";
import { RectificationPanel } from "~/components/rectification-panel";
import { RenewalPanel } from "~/components/renewal-panel";
import { getRenewalView } from "~/data/certificates/renewal-view.server";
import { getRectificationPanel } from "~/data/grading.server";
import { getApplicationPage } from "~/data/grading-views.server";
import { canSeeCertificate, getCertificateForApplication } from "~/data/certificates/queries.server";
import { can } from "~/lib/permissions";
import { workflowFormAction } from "~/data/workflow-form.server";
import { translate, type MessageKey } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { textOf } from "~/lib/assessment/answers";
import { formatDate, formatDateTime } from "~/lib/datetime";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

const VIEWERS = ["read:assessment:own", "read:assessment:any", "read:assessment:assigned"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, ...VIEWERS);
  const page = await getApplicationPage({ tenantId: tenant._id, id: params.id ?? "", member });
  if (!page) throw notFound();
  // Links to the related records this member may open: certificate, enterprise, credit records.
  const certificate = page.certification ? await getCertificateForApplication({ tenantId: tenant._id, applicationId: page.id }) : null;
  const mayOpenEnterprise = can(member.permissions, "read:enterprise:any") || String(member.enterpriseId) === page.enterpriseId;
  const related = {
    certificate:
      certificate && canSeeCertificate(member, certificate) ? { id: String(certificate._id), number: certificate.number } : null,
    enterprise: mayOpenEnterprise ? `/t/${tenant.slug}/enterprises/${page.enterpriseId}` : null,
    creditRecords: can(member.permissions, "read:credit:any") || String(member.enterpriseId) === page.enterpriseId,
  };
  const rectification = await getRectificationPanel({
    tenantId: tenant._id,
    applicationId: page.id,
    member,
  });
  // A renewal (复评/延期): its certificate, the decision, and the criteria for whoever decides.
  const renewal = await getRenewalView({
    tenantId: tenant._id,
    applicationId: page.id,
    member,
    settings: tenant.settings,
  });
  return { slug: tenant.slug, locale: await getLocale(request), page, rectification, related, renewal };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, ...VIEWERS);
  return workflowFormAction({
    tenantId: tenant._id,
    applicationId: params.id ?? "",
    member,
    form: await readForm(request),
  });
}

export default function ApplicationPage() {
  const { slug, page, related, rectification, renewal } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  const base = `/t/${slug}`;
  const lastReturn = [...page.history].reverse().find((h) => h.event === "RETURN");
  const deadlineKeys = Object.keys(page.deadlines) as Array<keyof typeof page.deadlines>;
  return (
    <section className="space-y-6" data-testid="application-page" data-state={page.stateKey}>
      <div>
        <Link to={`${base}/applications`} className="text-sm text-brand-600 hover:underline">
          ← {t("workflow.list.title")}
        </Link>
        <h1 className="page-title mb-1 mt-2">
          {t("workflow.app.heading", { enterprise: page.enterpriseName, cycle: page.cycle })}
        </h1>
        <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600">
          <StateBadge state={page.stateKey} />
          <span className="font-mono text-xs">{page.creditCode}</span>
          {page.canOpenSelfAssessment ? (
            <Link to={`${base}/assessments/${page.id}`} className="text-brand-700 hover:underline">
              {t("workflow.app.openSelfAssessment")}
            </Link>
          ) : null}
          {page.canReview ? (
            <Link to={`${base}/reviews/${page.id}`} className="text-brand-700 hover:underline">
              {t("workflow.app.openReview")}
            </Link>
          ) : null}
          {related.enterprise ? (
            <Link to={related.enterprise} className="text-brand-700 hover:underline" data-testid="link-enterprise">
              {t("links.enterprise")}
            </Link>
          ) : null}
          {related.certificate ? (
            <Link to={`${base}/certificates/${related.certificate.id}`} className="text-brand-700 hover:underline" data-testid="link-certificate">
              {t("links.certificate", { number: related.certificate.number })}
            </Link>
          ) : null}
          {related.creditRecords ? (
            <Link to={`${base}/credit?q=${encodeURIComponent(page.creditCode)}`} className="text-brand-700 hover:underline" data-testid="link-credit">
              {t("links.creditRecords")}
            </Link>
          ) : null}
        </div>
      </div>

      {actionData?.ok && actionData.done ? (
        <Notice>{t("workflow.app.done", { event: actionLabel(t, actionData.done) })}</Notice>
      ) : null}
      {page.workflowError ? (
        <div
          role="alert"
          className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700"
          data-testid="workflow-error"
        >
          {t(page.workflowError)}
        </div>
      ) : null}
      {page.stateKey === "draft.returned" ? (
        <div
          role="status"
          className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
          data-testid="returned-notice"
        >
          <p>{t("workflow.app.returned")}</p>
          {lastReturn?.reason ? (
            <p className="mt-1 whitespace-pre-wrap font-medium">
              {t("workflow.app.returnedReason", { reason: lastReturn.reason })}
            </p>
          ) : null}
        </div>
      ) : null}
      {renewal ? (
        <RenewalPanel view={renewal} base={base} applicationId={page.id} creditCode={page.creditCode} />
      ) : null}
      {page.certification ? (
        <div
          role="status"
          className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800"
          data-testid="certified-notice"
        >
          {page.certification.lowerLevel
            ? t("workflow.app.certifiedLower", {
                level: page.certification.levelName
                  ? textOf(page.certification.levelName, locale)
                  : page.certification.level,
                applied: page.appliedLevelName ? textOf(page.appliedLevelName, locale) : "—",
              })
            : t("workflow.app.certified", {
                level: page.certification.levelName
                  ? textOf(page.certification.levelName, locale)
                  : page.certification.level,
              })}
        </div>
      ) : null}
      {page.stateKey === "publicNotice.verifyingObjection" ? (
        <div
          role="status"
          className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
          data-testid="objection-verifying"
        >
          {t("objection.verify.paused", { days: page.noticeDaysElapsed })}
        </div>
      ) : null}
      {page.stateKey === "reviewReported.awaitingConsent" ? (
        <div
          role="status"
          className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
        >
          {t("workflow.app.consentNeeded", {
            level: page.reportedLevelName ? textOf(page.reportedLevelName, locale) : "—",
            applied: page.appliedLevelName ? textOf(page.appliedLevelName, locale) : "—",
          })}
        </div>
      ) : null}

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="space-y-6">
          <div className="card">
            <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-2">
              <Field label={t("workflow.app.status")}>{<StateBadge state={page.stateKey} />}</Field>
              <Field label={t("workflow.app.rubric")}>
                {page.rubricTitle ? textOf(page.rubricTitle, locale) : "—"} ({page.rubricVersion})
              </Field>
              <Field label={t("workflow.app.appliedLevel")}>
                <LevelName name={page.appliedLevelName} />
              </Field>
              <Field label={t("workflow.app.selfScore")}>{page.scoreSummary?.score ?? "—"}</Field>
              {page.reportedLevelName ? (
                <Field label={t("workflow.app.reportedLevel")}>
                  <LevelName name={page.reportedLevelName} />
                </Field>
              ) : null}
              <Field label={t("workflow.app.submittedAt")}>
                {page.submittedAt ? formatDateTime(page.submittedAt, locale) : "—"}
              </Field>
              <Field label={t("workflow.app.reviewBody")}>
                <span data-testid="review-body">
                  {page.reviewBody ? page.reviewBody.name : t("workflow.app.reviewBodyNone")}
                </span>
              </Field>
              <Field label={t("workflow.app.reviewers")}>
                {page.reviewers.length > 0
                  ? page.reviewers
                      .map((r) =>
                        r.id === page.leadReviewerId ? `${r.name}（${t("workflow.app.lead")}）` : r.name,
                      )
                      .join("、")
                  : t("workflow.app.reviewersNone")}
                <span className="ml-2 text-xs text-slate-500">
                  {t("workflow.app.reviewersCount", { count: page.reviewersRequired })}
                </span>
              </Field>
              {deadlineKeys.map((key) => {
                const at = page.deadlines[key];
                return at ? (
                  <Field key={key} label={t(`workflow.app.deadline.${key}` as MessageKey)}>
                    <span data-testid={`deadline-${key}`}>
                      <DeadlineText at={at} overdue={page.overdue[key] === true} />
                    </span>
                  </Field>
                ) : null;
              })}
            </dl>
          </div>

          {page.report ? (
            <div className="card space-y-1" data-testid="review-report">
              <h2 className="text-lg font-medium">{t("workflow.app.report")}</h2>
              <p className="text-sm">
                {page.report.recommendedLevelName ? (
                  <>
                    {t("workflow.form.recommendedLevel")}:{" "}
                    <LevelName name={page.report.recommendedLevelName} />
                  </>
                ) : (
                  t("workflow.app.reportFailed")
                )}
                {page.report.score !== null
                  ? ` · ${t("workflow.app.reportScore", { score: page.report.score.toFixed(1) })}`
                  : ""}
              </p>
              {page.report.scoreLevelName ? (
                <p className="text-xs text-slate-600" data-testid="report-score-level">
                  {t("reviewReport.scoreLevel")}: <LevelName name={page.report.scoreLevelName} />
                </p>
              ) : null}
              {page.report.reason ? (
                <p className="whitespace-pre-wrap text-sm text-slate-700">{page.report.reason}</p>
              ) : null}
              {page.reviewResultsVisible ? (
                <p className="flex flex-wrap gap-3 text-sm" data-testid="review-results-links">
                  <Link to={`${base}/applications/${page.id}/comparison`} className="text-brand-700 hover:underline">
                    {t("reviewSheet.comparison")}
                  </Link>
                  <a href={`${base}/applications/${page.id}/review-report.pdf`} className="text-brand-700 hover:underline">
                    {t("reviewSheet.reportPdf")}
                  </a>
                </p>
              ) : null}
              <p className="text-xs text-slate-500">
                {t("workflow.app.reportBy", {
                  name: page.report.byName,
                  time: formatDateTime(page.report.at, locale),
                })}
              </p>
            </div>
          ) : null}

          {page.rectifications.length > 0 ? (
            <div className="card space-y-2">
              <h2 className="text-lg font-medium">{t("workflow.app.rectifications")}</h2>
              <ul className="space-y-2 text-sm">
                {page.rectifications.map((r) => (
                  <li key={r.at}>
                    <p className="whitespace-pre-wrap">{r.reason}</p>
                    <p className="text-xs text-slate-500">
                      {t("workflow.app.rectification", {
                        days: r.days,
                        date: r.rectifyBy ? formatDate(r.rectifyBy, locale) : "—",
                      })}
                    </p>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}

          {rectification ? (
            <RectificationPanel panel={rectification} base={`${base}/applications/${page.id}`} />
          ) : null}

          {page.objections.length > 0 ? (
            <div className="card space-y-2" data-testid="objections">
              <h2 className="text-lg font-medium">{t("workflow.app.objections")}</h2>
              <ul className="space-y-2 text-sm">
                {page.objections.map((o) => (
                  <li key={o.at}>
                    <p className="whitespace-pre-wrap">{o.statement}</p>
                    <p className="text-xs text-slate-500">
                      {t("workflow.app.objectionBy", { name: o.name, contact: o.contact })} ·{" "}
                      {formatDateTime(o.at, locale)}
                    </p>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}

          <div className="card">
            <h2 className="mb-3 text-lg font-medium">{t("workflow.app.timeline")}</h2>
            <Timeline entries={page.history} />
          </div>
        </div>

        <aside className="card h-fit space-y-3 lg:sticky lg:top-4">
          <h2 className="text-lg font-medium">{t("workflow.app.actions")}</h2>
          <ActionPanel
            version={page.version}
            actions={page.actions}
            offeredLevels={page.offeredLevels}
            appliedLevel={page.appliedLevel}
            reviewBodyOptions={page.reviewBodyOptions}
            currentReviewBodyId={page.reviewBody?.id ?? null}
            reviewersRequired={page.reviewersRequired}
            facts={page.facts}
            rectification={rectification ?? undefined}
          />
        </aside>
      </div>
    </section>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="text-sm">{children}</dd>
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  {
    title: d
      ? `${translate(d.locale, "workflow.app.title")} · ${d.page.enterpriseName} ${d.page.cycle}`
      : "SafeGrade",
  },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
