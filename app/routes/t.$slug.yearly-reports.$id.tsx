/**
 * GET/POST /t/<slug>/yearly-reports/<id> — one yearly self-assessment report. The enterprise
 * starts the self-assessment (the wizard on the certificate's rubric), fills the structured part
 * and submits; a submitted report is read-only. The regulator sees it and, when it is flagged,
 * revokes on the grounds it shows (certificate page, grounds pre-selected) or closes the review.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { clientIp, forbidden } from "~/auth.server";
import { RevocationGroundsList } from "~/components/revoke-certificate";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice } from "~/components/form";
import { YearlyReportPartForm, YearlyReportPartView } from "~/components/yearly-report-part";
import {
  closeRevocationReview,
  findVisibleYearlyReport,
  saveYearlyReportPart,
  startReportSelfAssessment,
  submitYearlyReport,
  type ReportError,
} from "~/data/certificates/yearly-reports.server";
import { translate, type MessageKey } from "~/i18n";
import { useErrorText, useLocale, useT } from "~/i18n/react";
import { formatDate } from "~/lib/datetime";
import { readForm } from "~/lib/http/read-form.server";
import { can } from "~/lib/permissions";
import { isRevocationGroundKey } from "~/lib/revocation-grounds";
import { msg, optionalText } from "~/lib/validation";
import { reportState } from "~/lib/yearly-report";
import { parseReportPart } from "~/lib/yearly-report-form";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission } from "~/tenant.server";

async function load(request: Request, params: { slug?: string; id?: string }) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:certificate:own", "read:certificate:any");
  const report = await findVisibleYearlyReport({ tenantId: tenant._id, id: params.id ?? "", viewer: member });
  if (!report) throw notFound();
  const own = member.enterpriseId !== null && member.enterpriseId.equals(report.enterpriseId);
  return { tenant, member, report, canEdit: own && can(member.permissions, "submit:assessment:own"), canReview: can(member.permissions, "revoke:certificate:any") };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, report: r, canEdit, canReview } = await load(request, params);
  return {
    slug: tenant.slug,
    locale: await getLocale(request),
    canEdit: canEdit && !r.submittedAt,
    canReview,
    report: {
      id: String(r._id),
      version: r.version,
      year: r.year,
      enterpriseName: r.enterpriseName,
      certificateId: String(r.certificateId),
      certificateNumber: r.certificateNumber,
      periodStart: r.periodStart.toISOString(),
      periodEnd: r.periodEnd.toISOString(),
      dueAt: r.dueAt.toISOString(),
      state: reportState(r, new Date()),
      submittedAt: r.submittedAt ? r.submittedAt.toISOString() : null,
      assessmentId: r.assessmentId ? String(r.assessmentId) : null,
      part: { accidents: r.accidents, hazards: r.hazards, changes: r.changes, note: r.note },
      score: r.score,
      minScore: r.minScore,
      belowBand: r.belowBand,
      grounds: r.grounds.filter(isRevocationGroundKey),
      review: r.review,
      reviewNote: r.reviewNote,
      reviewedAt: r.reviewedAt ? r.reviewedAt.toISOString() : null,
    },
  };
}

const versionSchema = z.coerce.number().int().min(0).max(1_000_000);
const noteSchema = optionalText(2000, { multiLine: true });

const ERRORS: Record<ReportError, MessageKey> = {
  notFound: "errors.notFound",
  submitted: "yearly.errors.submitted",
  conflict: "yearly.errors.conflict",
  noSelfAssessment: "yearly.errors.noSelfAssessment",
  unanswered: "yearly.errors.unanswered",
  notOpen: "yearly.errors.notOpen",
  startFailed: "yearly.errors.startFailed",
};

type ActionResult = { ok: boolean; intent: string; notice: MessageKey | null; errors: Record<string, string> };
const reply = (body: ActionResult, status = 200) => data(body, { status });

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member, report, canEdit, canReview } = await load(request, params);
  const form = await readForm(request);
  const intent = String(form.get("intent") ?? "");
  const actor = { id: member.user._id, email: member.user.email };
  const ip = clientIp(request);
  const tenantId = tenant._id;
  const refuse = (error: ReportError, detail?: string) => {
    if (error === "notFound") throw notFound();
    const key = ERRORS[error];
    return reply({ ok: false, intent, notice: null, errors: { _form: error === "unanswered" ? msg(key, { count: detail ?? "" }) : msg(key) } }, 409);
  };
  const version = versionSchema.safeParse(form.get("version"));

  if (intent === "closeReview") {
    if (!canReview) throw forbidden();
    const note = noteSchema.safeParse(form.get("note") ?? "");
    if (!note.success || !version.success)
      return reply({ ok: false, intent, notice: null, errors: { note: note.success ? msg("errors.generic") : (note.error.issues[0]?.message ?? msg("errors.generic")) } }, 400);
    const r = await closeRevocationReview({ tenantId, id: report._id, note: note.data, expectedVersion: version.data, actor, ip });
    return r.ok ? reply({ ok: true, intent, notice: "yearly.notice.reviewClosed", errors: {} }) : refuse(r.error, r.detail);
  }
  if (!["save", "startSelf", "submit"].includes(intent)) return reply({ ok: false, intent, notice: null, errors: { _form: msg("errors.generic") } }, 400);
  if (!canEdit) throw forbidden();
  if (intent === "startSelf") {
    const r = await startReportSelfAssessment({ tenantId, id: report._id, actor: { ...actor, role: member.roles[0] ?? "" }, ip });
    if (!r.ok) return refuse(r.error, r.detail);
    return redirect(`/t/${tenant.slug}/assessments/${String(r.report.assessmentId)}`);
  }
  if (!version.success) return reply({ ok: false, intent, notice: null, errors: { _form: msg("errors.generic") } }, 400);
  if (intent === "save") {
    const parsed = parseReportPart(form);
    if (!parsed.ok) return reply({ ok: false, intent, notice: null, errors: parsed.errors }, 400);
    const r = await saveYearlyReportPart({ tenantId, id: report._id, part: parsed.part, expectedVersion: version.data });
    return r.ok ? reply({ ok: true, intent, notice: "yearly.notice.saved", errors: {} }) : refuse(r.error, r.detail);
  }
  const r = await submitYearlyReport({ tenantId, id: report._id, expectedVersion: version.data, actor, ip });
  return r.ok ? reply({ ok: true, intent, notice: "yearly.notice.submitted", errors: {} }) : refuse(r.error, r.detail);
}

export default function YearlyReportPage() {
  const { slug, report: r, canEdit, canReview } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  const errorText = useErrorText();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  const revokeHref = `/t/${slug}/certificates/${r.certificateId}?grounds=${r.grounds.join(",")}#revoke`;
  return (
    <section className="space-y-6" data-testid="yearly-report" data-state={r.state} data-review={r.review}>
      <Link to={`/t/${slug}/yearly-reports`} className="text-sm text-brand-700 hover:underline">
        ← {t("yearly.list.title")}
      </Link>
      <div>
        <h1 className="page-title mb-1">{t("yearly.detail.title", { year: r.year })}</h1>
        <p className="text-sm text-slate-600">
          {r.enterpriseName} · {r.certificateNumber} · {t(`yearly.state.${r.state}`)}
        </p>
        <p className="text-sm text-slate-600">
          {t("yearly.detail.period", { from: formatDate(r.periodStart, locale), to: formatDate(r.periodEnd, locale), due: formatDate(r.dueAt, locale) })}
        </p>
      </div>
      {actionData?.notice ? <Notice>{t(actionData.notice)}</Notice> : null}
      <FormError error={actionData && !actionData.ok ? actionData.errors._form : undefined} />
      {r.submittedAt ? <p className="text-sm font-medium" data-testid="yearly-read-only">{t("yearly.detail.readOnly", { date: formatDate(r.submittedAt, locale) })}</p> : null}

      {r.review !== "none" && canReview ? (
        <div className="card space-y-3 border-red-300" data-testid="yearly-review">
          <h2 className="text-lg font-medium">{t("yearly.review.title")}</h2>
          {r.belowBand ? <p className="text-sm">{t("yearly.flag.belowBand")}</p> : null}
          {r.grounds.length > 0 ? <RevocationGroundsList grounds={r.grounds} /> : null}
          {r.review === "open" ? (
            <>
              <a href={revokeHref} className="btn-danger inline-block" data-testid="yearly-revoke-link">
                {t("yearly.review.revoke")}
              </a>
              <Form method="post" className="space-y-2">
                <input type="hidden" name="intent" value="closeReview" />
                <input type="hidden" name="version" value={r.version} />
                <label className="label" htmlFor="review-note">{t("yearly.review.note")}</label>
                <textarea id="review-note" name="note" rows={2} className="input" maxLength={2000} />
                {actionData?.intent === "closeReview" && actionData.errors.note ? <p className="field-error" role="alert">{errorText(actionData.errors.note)}</p> : null}
                <button type="submit" className="btn-secondary" disabled={busy}>{t("yearly.review.close")}</button>
              </Form>
            </>
          ) : (
            <p className="text-sm">{t("yearly.review.closed", { date: formatDate(r.reviewedAt ?? r.dueAt, locale), note: r.reviewNote || "—" })}</p>
          )}
        </div>
      ) : null}

      <div className="card space-y-2" data-testid="yearly-self">
        <h2 className="text-lg font-medium">{t("yearly.self.title")}</h2>
        <p className="text-sm text-slate-600">{t("yearly.self.hint")}</p>
        {r.score !== null ? <p className="text-sm font-medium">{t("yearly.self.score", { score: r.score.toFixed(1), min: r.minScore ?? "—" })}</p> : null}
        {r.assessmentId ? (
          <Link to={`/t/${slug}/assessments/${r.assessmentId}`} className="text-brand-700 hover:underline" data-testid="yearly-self-link">
            {t("yearly.self.open")}
          </Link>
        ) : canEdit ? (
          <Form method="post">
            <input type="hidden" name="intent" value="startSelf" />
            <button type="submit" className="btn-primary" disabled={busy} data-testid="yearly-self-start">{t("yearly.self.start")}</button>
          </Form>
        ) : null}
      </div>

      <div className="card space-y-4">
        <h2 className="text-lg font-medium">{t("yearly.part.title")}</h2>
        {canEdit ? (
          <YearlyReportPartForm part={r.part} version={r.version} errors={actionData?.intent === "save" ? actionData.errors : {}} busy={busy} />
        ) : (
          <YearlyReportPartView part={r.part} />
        )}
      </div>

      {canEdit ? (
        <Form method="post" className="card space-y-2" data-testid="yearly-submit-form">
          <input type="hidden" name="intent" value="submit" />
          <input type="hidden" name="version" value={r.version} />
          <p className="text-sm text-slate-600">{t("yearly.submitHint")}</p>
          <button type="submit" className="btn-primary" disabled={busy}>{t("yearly.submit")}</button>
        </Form>
      ) : null}
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "yearly.detail.title", { year: d.report.year }) : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
