import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
import type { ReactNode } from "react";
import { levelName, ScoreFigures, ScoreReasons } from "~/components/assessment-score";
import { useWizard } from "~/components/assessment-wizard";
import { itemAnchor } from "~/components/assessment-item";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ActionPanel } from "~/components/workflow-actions";
import { getApplicationPage } from "~/data/grading-views.server";
import { can } from "~/lib/permissions";
import { grantedLevel } from "~/lib/granted-level";
import { describeAccidents } from "~/components/assessment-conflict-dialog";
import { accidentRecordView, findVisibleAssessment, loadAssessmentRubric, scoreOf } from "~/data/assessments.server";
import { missingRequiredEvidence } from "~/data/evidence.server";
import { useLocale, useT } from "~/i18n/react";
import { chinaToday, declarationHints, plainAccidentRecord } from "~/lib/assessment/accidents";
import { itemElementIds, textOf } from "~/lib/assessment/answers";
import { localizeDeep } from "~/lib/rubric/localize";
import { itemTexts } from "~/lib/rubric/scoring-outline";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission } from "~/tenant.server";

/** Everything here is computed on the server from what is saved: the same numbers the report and the application use. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:assessment:own", "read:assessment:any");
  const assessment = await findVisibleAssessment({ tenantId: tenant._id, id: params.id ?? "", viewer: member });
  if (!assessment) throw notFound();
  const { rubric, weights } = await loadAssessmentRubric({ tenantId: tenant._id, assessment });
  const breakdown = scoreOf(assessment, rubric, weights);
  // Submit from the summary (issue 17): the application page's SUBMIT form, posted to its route.
  const application =
    assessment.state === "draft" && can(member.permissions, "submit:assessment:own")
      ? await getApplicationPage({ tenantId: tenant._id, id: String(assessment._id), member })
      : null;
  const submitAction = application?.actions.find((a) => a.type === "SUBMIT") ?? null;
  const answers = new Map(assessment.answers.map((a) => [a.itemId, a]));
  const declared = new Map(assessment.performance.map((p) => [p.conditionId, p]));
  const evidenceCount = new Map<string, { files: number; carried: number }>();
  for (const e of assessment.evidence) {
    const c = evidenceCount.get(e.itemId) ?? { files: 0, carried: 0 };
    c.files++;
    if (e.carriedOver) c.carried++;
    evidenceCount.set(e.itemId, c);
  }
  const missingEvidence = missingRequiredEvidence(rubric, assessment);
  const naItems = assessment.answers.filter((a) => a.choice === "na").map((a) => ({ itemId: a.itemId, reason: a.naReason ?? "" }));
  // The layout's rubric has no item texts (decision 028): the wording of the items listed here.
  const deducted = new Set(breakdown.deductions.map((d) => d.itemId));
  const listed = [
    ...breakdown.vetoes.map((v) => v.itemId),
    ...breakdown.deductions.map((d) => d.itemId),
    ...(breakdown.toNextLevel?.candidates.map((c) => c.itemId) ?? []),
    ...breakdown.unanswered,
    ...missingEvidence,
    ...naItems.map((n) => n.itemId),
  ];
  return {
    itemTexts: localizeDeep(itemTexts(rubric, listed), await getLocale(request)),
    /** The level this authority can grant for this result (the rubric may list higher ones). */
    grantedLevel: grantedLevel(rubric.levels, breakdown.level, tenant.settings.grantableLevels),
    submit:
      application && submitAction
        ? {
            action: `/t/${tenant.slug}/applications/${application.id}`,
            version: application.version,
            actions: [submitAction],
            offeredLevels: application.offeredLevels,
            appliedLevel: application.appliedLevel,
            facts: application.facts,
          }
        : null,
    version: assessment.version,
    weighted: weights !== null,
    breakdown,
    // A deduction without its own reason shows the item's note (that is where people explain).
    // Only for the items listed under deductions (decision 028: no data the page does not show).
    itemNotes: Object.fromEntries(
      assessment.answers.filter((a) => a.note && deducted.has(a.itemId)).map((a) => [a.itemId, a.note ?? ""]),
    ),
    naItems,
    missingEvidence,
    carriedEvidenceItems: [...evidenceCount].filter(([, c]) => c.carried > 0).map(([itemId]) => itemId),
    performance: rubric.performanceConditions.map((c) => ({
      conditionId: c.id,
      declared: declared.has(c.id),
      passed: declared.get(c.id)?.passed ?? null,
      note: declared.get(c.id)?.note ?? "",
    })),
    carriedOverAnswers: [...answers.values()].filter((a) => a.carriedOver).length,
    accidentRecord: accidentRecordView(assessment.accidentRecord),
  };
}

export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "save" ? false : defaultShouldRevalidate;

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="card space-y-3" data-testid={testId}>
      <h3 className="text-base font-medium text-slate-900">{title}</h3>
      {children}
    </section>
  );
}

export default function AssessmentSummary() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const wizard = useWizard();
  const { rubric } = wizard;
  const b = d.breakdown;
  const base = `/t/${wizard.slug}/assessments/${wizard.assessmentId}`;
  const elementOf = itemElementIds(rubric);
  // `?item=` opens the part of a large element that holds the item.
  const itemLink = (itemId: string) => `${base}/${elementOf.get(itemId) ?? ""}?item=${encodeURIComponent(itemId)}#${itemAnchor(itemId)}`;
  const itemText = (itemId: string) => textOf(d.itemTexts[itemId], locale);
  const itemRef = (itemId: string) => (
    <Link to={itemLink(itemId)} className="text-brand-700 hover:underline">
      <span className="font-mono text-xs">{itemId}</span> {itemText(itemId)}
    </Link>
  );
  // Long lists (a new assessment has every item unanswered) are grouped by element and folded.
  const groupedItems = (ids: string[]) => (
    <div className="space-y-2">
      {rubric.elements.map((el) => {
        const inElement = ids.filter((id) => elementOf.get(id) === el.id);
        if (inElement.length === 0) return null;
        return (
          <details key={el.id} open={ids.length <= 12} className="text-sm">
            <summary className="cursor-pointer text-slate-700">
              <span className="font-mono text-xs text-slate-500">{el.id}</span>{" "}
              {t("assessment.summary.groupCount", { title: textOf(el.title, locale), count: inElement.length })}
            </summary>
            <ul className="mt-1 list-disc space-y-1 pl-8">
              {inElement.map((id) => (
                <li key={id}>
                  {itemRef(id)}
                </li>
              ))}
            </ul>
          </details>
        );
      })}
    </div>
  );
  const unsaved = wizard.pendingCount + wizard.incompleteCount;
  const level = levelName(rubric, d.grantedLevel, locale);
  // The level the score alone reaches, when the rubric's levels or the authority's grant cap it.
  const scoreLevel = levelName(rubric, b.scoreLevel, locale);
  const nextLevel = b.toNextLevel ? levelName(rubric, b.toNextLevel.targetLevel, locale) : null;
  const undeclared = d.performance.filter((p) => !p.declared);
  const failed = d.performance.filter((p) => p.passed === false);
  const conditionText = (id: string) => textOf(rubric.performanceConditions.find((c) => c.id === id)?.text, locale);
  const accidentRecord = d.accidentRecord ? plainAccidentRecord(d.accidentRecord) : null;
  const hints = declarationHints(
    accidentRecord,
    new Map(d.performance.filter((p) => p.passed !== null).map((p) => [p.conditionId, p.passed === true])),
    chinaToday(),
  );

  return (
    <div className="space-y-6" data-testid="assessment-summary">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 className="text-xl font-semibold text-slate-900">{t("assessment.summary.title")}</h2>
        {/* The printable report (same content, as a PDF) is served by the report resource route. */}
        <a href={`${base}/report.pdf`} className="btn-secondary" data-testid="report-link">
          {t("assessment.summary.reportPdf")}
        </a>
      </div>
      {unsaved > 0 ? (
        <div role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-800">
          {t("assessment.summary.unsaved", { count: unsaved })}
        </div>
      ) : null}

      <section className="card grid gap-4 sm:grid-cols-3" aria-label={t("assessment.summary.score")}>
        <div>
          <p className="text-sm text-slate-500">{t("assessment.summary.score")}</p>
          <ScoreFigures t={t} breakdown={b} weighted={d.weighted} size="lg" testId="summary-score" />
        </div>
        <div>
          <p className="text-sm text-slate-500">{t("assessment.summary.level")}</p>
          <p className={`text-xl font-semibold ${level ? "text-emerald-700" : "text-slate-700"}`} data-testid="summary-level">
            {level ?? t("assessment.wizard.noLevel")}
          </p>
          {scoreLevel && scoreLevel !== level ? <p className="text-xs text-slate-500">{t("assessment.summary.scoreLevel", { level: scoreLevel })}</p> : null}
        </div>
        <div>
          <p className="text-sm text-slate-500">{t("assessment.progress")}</p>
          <p className="text-xl font-semibold text-slate-900">
            {t("assessment.progressValue", { answered: b.counts.answered + b.counts.na, items: b.counts.items })}
          </p>
          <p className={`text-sm ${b.eligible ? "text-emerald-700" : "text-amber-700"}`}>
            {b.eligible ? t("assessment.summary.eligible") : t("assessment.summary.notEligible")}
          </p>
        </div>
        {b.reasons.length > 0 ? (
          <div className="sm:col-span-3">
            <p className="mb-1 text-sm text-slate-500">{t("assessment.summary.reasons")}</p>
            <ScoreReasons t={t} rubric={rubric} reasons={b.reasons} locale={locale} />
          </div>
        ) : null}
      </section>

      {d.submit ? (
        <Section title={t("workflow.action.SUBMIT")} testId="summary-submit">
          <ActionPanel
            version={d.submit.version}
            actions={d.submit.actions}
            offeredLevels={d.submit.offeredLevels}
            appliedLevel={d.submit.appliedLevel}
            reviewersRequired={0}
            facts={d.submit.facts}
            action={d.submit.action}
          />
        </Section>
      ) : null}

      <Section title={t("assessment.summary.vetoes")} testId="summary-vetoes">
        {b.vetoes.length === 0 ? (
          <p className="text-sm text-slate-600">{t("assessment.summary.vetoesNone")}</p>
        ) : (
          <ul className="list-disc space-y-1 pl-5 text-sm">
            {b.vetoes.map((v) => (
              <li key={v.itemId}>
                {itemRef(v.itemId)}
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section title={t("assessment.summary.breakdown")} testId="summary-breakdown">
        <div className="overflow-x-auto">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("assessment.summary.colElement")}</th>
                <th scope="col" className="text-right">{t("assessment.summary.colStandard")}</th>
                <th scope="col" className="text-right">{t("assessment.summary.colApplicable")}</th>
                <th scope="col" className="text-right">{t("assessment.summary.colObtained")}</th>
                <th scope="col" className="text-right">{t("assessment.summary.colRate")}</th>
              </tr>
            </thead>
            <tbody>
              {b.elements.map((el) => (
                <tr key={el.id}>
                  <th scope="row" className="bg-white font-normal">
                    <Link to={`${base}/${el.id}`} className="text-brand-700 hover:underline">
                      <span className="font-mono text-xs">{el.id}</span> {textOf(el.title, locale)}
                    </Link>
                  </th>
                  <td className="text-right">{el.standard}</td>
                  <td className="text-right">{el.applicable}</td>
                  <td className="text-right">{el.obtained}</td>
                  <td className="text-right">{el.percentage === null ? "—" : `${el.percentage.toFixed(1)}%`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>

      <Section title={t("assessment.summary.deductions")} testId="summary-deductions">
        {b.deductions.length === 0 ? (
          <p className="text-sm text-slate-600">{t("assessment.summary.deductionsNone")}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t("assessment.summary.colItem")}</th>
                  <th scope="col">{t("assessment.summary.colDeduction")}</th>
                  <th scope="col" className="whitespace-nowrap text-right">{t("assessment.summary.colCount")}</th>
                  <th scope="col" className="whitespace-nowrap text-right">{t("assessment.summary.colPoints")}</th>
                  <th scope="col">{t("assessment.summary.colReason")}</th>
                </tr>
              </thead>
              <tbody>
                {b.deductions.map((dd, i) => (
                  <tr key={`${dd.itemId}-${dd.ruleId ?? "none"}-${i}`} data-deduction={dd.itemId}>
                    <td>
                      {itemRef(dd.itemId)}
                    </td>
                    <td>{dd.kind === "none" ? t("assessment.summary.itemNone") : textOf(dd.text, locale)}</td>
                    <td className="whitespace-nowrap text-right">{dd.count}</td>
                    <td className="whitespace-nowrap text-right">−{dd.points}</td>
                    <td>{dd.note ?? d.itemNotes[dd.itemId] ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      <Section
        title={nextLevel && b.toNextLevel ? t("assessment.summary.nextLevel", { level: nextLevel, points: b.toNextLevel.pointsNeeded }) : t("assessment.summary.nextLevelTitle")}
        testId="summary-next-level"
      >
        {b.toNextLevel && b.toNextLevel.candidates.length > 0 ? (
          <>
            <p className="text-sm text-slate-600">{t("assessment.summary.nextLevelIntro")}</p>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t("assessment.summary.colItem")}</th>
                  <th scope="col" className="whitespace-nowrap text-right">{t("assessment.summary.colCurrent")}</th>
                  <th scope="col" className="whitespace-nowrap text-right">{t("assessment.summary.colGain")}</th>
                </tr>
              </thead>
              <tbody>
                {b.toNextLevel.candidates.map((c) => (
                  <tr key={c.itemId}>
                    <td>
                      {itemRef(c.itemId)}
                    </td>
                    <td className="whitespace-nowrap text-right">
                      {c.currentObtained} / {c.points}
                    </td>
                    <td className="whitespace-nowrap text-right">+{c.gain}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : (
          <p className="text-sm text-slate-600">{t("assessment.summary.nextLevelNone")}</p>
        )}
      </Section>

      <Section title={t("assessment.summary.missingAnswers", { count: b.unanswered.length })} testId="summary-missing-answers">
        {b.unanswered.length === 0 ? (
          <p className="text-sm text-slate-600">{t("assessment.summary.allAnswered")}</p>
        ) : (
          groupedItems(b.unanswered)
        )}
      </Section>

      <Section title={t("assessment.summary.missingEvidence", { count: d.missingEvidence.length })} testId="summary-missing-evidence">
        {d.missingEvidence.length === 0 ? (
          <p className="text-sm text-slate-600">{t("assessment.summary.noMissingEvidence")}</p>
        ) : (
          groupedItems(d.missingEvidence)
        )}
      </Section>

      {d.naItems.length > 0 ? (
        <Section title={t("assessment.summary.naItems")}>
          <table className="table">
            <tbody>
              {d.naItems.map((na) => (
                <tr key={na.itemId}>
                  <td>
                    {itemRef(na.itemId)}
                  </td>
                  <td>{na.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}

      {d.performance.length > 0 ? (
        <Section title={t("assessment.summary.performance")} testId="summary-performance">
          <p className={`text-sm ${accidentRecord ? "text-slate-700" : "font-medium text-amber-700"}`} data-testid="summary-accidents">
            {accidentRecord ? (
              t("assessment.summary.labelled", { label: t("assessment.accidents.title"), value: describeAccidents(t, accidentRecord) })
            ) : (
              <Link to={`${base}/performance`} className="hover:underline">
                {t("assessment.summary.accidentsMissing")}
              </Link>
            )}
          </p>
          {hints.map((h) => (
            <p key={h.conditionId} className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
              {t("assessment.summary.labelled", { label: conditionText(h.conditionId), value: t(h.key) })}
            </p>
          ))}
          {failed.length > 0 ? (
            <div>
              <p className="text-sm font-medium text-red-700">{t("assessment.summary.performanceFailed")}</p>
              <ul className="list-disc pl-5 text-sm">
                {failed.map((p) => (
                  <li key={p.conditionId}>
                    {p.note
                      ? t("assessment.summary.withNote", { text: conditionText(p.conditionId), note: p.note })
                      : conditionText(p.conditionId)}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {undeclared.length > 0 ? (
            <div>
              <p className="text-sm font-medium text-amber-700">{t("assessment.summary.undeclared", { count: undeclared.length })}</p>
              <ul className="list-disc pl-5 text-sm">
                {undeclared.map((p) => (
                  <li key={p.conditionId}>
                    <Link to={`${base}/performance`} className="text-brand-700 hover:underline">
                      {conditionText(p.conditionId)}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {failed.length === 0 && undeclared.length === 0 && accidentRecord ? (
            <p className="text-sm text-slate-600">{t("assessment.performance.passed")}</p>
          ) : null}
        </Section>
      ) : null}
    </div>
  );
}

export const meta: MetaFunction = ({ matches }) => {
  const parent = matches.find((m) => m.id === "routes/t.$slug.assessments.$id")?.meta ?? [];
  const title = parent.find((m) => "title" in m);
  return [{ title: title && "title" in title ? String(title.title) : "SafeGrade" }];
};

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
