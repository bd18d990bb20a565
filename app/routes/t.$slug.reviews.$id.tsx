/**
 * The review screen (现场评审): for every item, the enterprise's self-assessment and the
 * reviewer's own scoring side by side, differences highlighted; the reviewer's deductions carry
 * their reasons and an evidence comment. Start the review, request rectification and report the
 * recommended level from here.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice } from "~/components/form";
import { RectificationPanel } from "~/components/rectification-panel";
import { ActionPanel } from "~/components/workflow-actions";
import { DeadlineText, StateBadge, Timeline, actionLabel } from "~/components/workflow-ui";
import { getApplicationPage } from "~/data/grading-views.server";
import {
  getReviewPage,
  saveReviewerScores,
  type ReviewerAnswerView,
} from "~/data/review-scores.server";
import { getRectificationPanel } from "~/data/grading.server";
import { workflowFormAction } from "~/data/workflow-form.server";
import { translate } from "~/i18n";
import { useErrorText, useLocale, useT } from "~/i18n/react";
import {
  ANSWER_CHOICES,
  itemObtained,
  maxDeductionCount,
  plainAnswer,
  textOf,
  type AnswerView,
  type ItemErrors,
} from "~/lib/assessment/answers";
import type { RubricItem } from "~/lib/rubric/schema";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission } from "~/tenant.server";
import { reviewItemsFromForm } from "~/workflows/review-form";
import { readForm } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "review:assessment:assigned",
  );
  const id = params.id ?? "";
  const [review, app, rectification] = await Promise.all([
    getReviewPage({ tenantId: tenant._id, id, member }),
    getApplicationPage({ tenantId: tenant._id, id, member }),
    getRectificationPanel({ tenantId: tenant._id, applicationId: id, member }),
  ]);
  if (!review || !app) throw notFound();
  return { slug: tenant.slug, locale: await getLocale(request), review, app, rectification };
}

type SaveScoresResult = {
  ok: boolean;
  intent: "saveScores";
  itemErrors?: Record<string, ItemErrors>;
  errors?: Record<string, string>;
};

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "review:assessment:assigned",
  );
  const form = await readForm(request);
  const id = params.id ?? "";
  if (form.get("intent") !== "saveScores")
    return workflowFormAction({ tenantId: tenant._id, applicationId: id, member, form });
  const version = Number(form.get("version"));
  if (!Number.isSafeInteger(version))
    return data<SaveScoresResult>(
      { ok: false, intent: "saveScores", errors: { _form: "errors.generic" } },
      { status: 400 },
    );
  const result = await saveReviewerScores({
    tenantId: tenant._id,
    id,
    member,
    expectedVersion: version,
    items: reviewItemsFromForm(form).map((r) => ({
      itemId: r.itemId,
      form: r.value,
      evidenceComment: r.evidenceComment,
    })),
  });
  if (result.ok) return data<SaveScoresResult>({ ok: true, intent: "saveScores" });
  switch (result.error) {
    case "notFound":
      throw notFound();
    case "invalid":
      return data<SaveScoresResult>(
        { ok: false, intent: "saveScores", itemErrors: result.itemErrors },
        { status: 400 },
      );
    default:
      return data<SaveScoresResult>(
        { ok: false, intent: "saveScores", errors: { _form: result.message } },
        { status: result.status },
      );
  }
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function isSaveResult(value: unknown): value is SaveScoresResult {
  return (
    typeof value === "object" &&
    value !== null &&
    "intent" in value &&
    value.intent === "saveScores"
  );
}

export default function ReviewScreen() {
  const { slug, review, app, rectification } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const [onlyDiff, setOnlyDiff] = useState(false);
  const saveResult = isSaveResult(actionData) ? actionData : null;
  const workflowDone =
    actionData && !isSaveResult(actionData) && actionData.ok && "done" in actionData
      ? actionData.done
      : undefined;
  const selfById = new Map(review.selfAnswers.map((a) => [a.itemId, a]));
  const mineById = new Map(review.myAnswers.map((a) => [a.itemId, a]));
  const itemErrors = saveResult?.itemErrors ?? {};
  const levelName = (key: string | null) =>
    key ? (app.offeredLevels.find((l) => l.key === key)?.name ?? { zh: key }) : null;
  let index = -1;
  return (
    <section className="space-y-6" data-testid="review-screen" data-state={app.stateKey}>
      <div>
        <Link to={`/t/${slug}/reviews`} className="text-sm text-brand-600 hover:underline">
          ← {t("workflow.reviews.title")}
        </Link>
        <h1 className="page-title mb-1 mt-2">
          {t("workflow.review.title", { enterprise: review.enterpriseName, cycle: review.cycle })}
        </h1>
        <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600">
          <StateBadge state={app.stateKey} />
          {app.deadlines.reviewBy ? (
            <span>
              {t("workflow.app.deadline.reviewBy")}:{" "}
              <DeadlineText at={app.deadlines.reviewBy} overdue={app.overdue.reviewBy === true} />
            </span>
          ) : null}
          {app.deadlines.rectifyBy ? (
            <span>
              {t("workflow.app.deadline.rectifyBy")}:{" "}
              <DeadlineText at={app.deadlines.rectifyBy} overdue={app.overdue.rectifyBy === true} />
            </span>
          ) : null}
          <Link
            to={`/t/${slug}/applications/${review.id}`}
            className="text-brand-700 hover:underline"
          >
            {t("workflow.review.appPage")}
          </Link>
        </div>
      </div>

      {workflowDone ? (
        <Notice>{t("workflow.app.done", { event: actionLabel(t, workflowDone) })}</Notice>
      ) : null}
      {saveResult?.ok ? <Notice>{t("workflow.review.saved")}</Notice> : null}

      <div className="grid gap-4 sm:grid-cols-3" data-testid="score-cards">
        <ScoreCard
          title={t("workflow.review.selfScore")}
          score={review.selfSummary.score}
          level={levelName(review.selfSummary.level)}
          answered={review.selfSummary.answered}
          items={review.selfSummary.items}
          testId="self-score"
        />
        <ScoreCard
          title={t("workflow.review.myScore")}
          score={review.mySummary.score}
          level={levelName(review.mySummary.level)}
          answered={review.mySummary.answered}
          items={review.mySummary.items}
          testId="my-score"
        />
        {review.otherReviewers.map((o) => (
          <ScoreCard
            key={o.id}
            title={t("workflow.review.othersScore", { name: o.name })}
            score={o.summary.score}
            level={levelName(o.summary.level)}
            answered={o.summary.answered}
            items={o.summary.items}
          />
        ))}
      </div>

      <div className="card space-y-3">
        <h2 className="text-lg font-medium">{t("workflow.app.actions")}</h2>
        <ActionPanel
          version={app.version}
          actions={app.actions}
          offeredLevels={app.offeredLevels}
          appliedLevel={app.appliedLevel}
          reviewersRequired={app.reviewersRequired}
          facts={null}
          suggestedLevel={review.mySummary.level}
          rectification={rectification ?? undefined}
        />
      </div>
      {rectification ? (
        <RectificationPanel panel={rectification} base={`/t/${slug}/applications/${app.id}`} />
      ) : null}

      <Form method="post" className="space-y-4" data-testid="review-form">
        <input type="hidden" name="intent" value="saveScores" />
        <input type="hidden" name="version" value={review.version} />
        <div className="flex flex-wrap items-center justify-between gap-3">
          {review.editable ? null : (
            <p className="text-sm text-slate-600">{t("workflow.review.notEditable")}</p>
          )}
          <label className="inline-flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={onlyDiff}
              onChange={(e) => setOnlyDiff(e.target.checked)}
            />
            {t("workflow.review.onlyDiff")}
          </label>
        </div>
        <FormError error={saveResult?.errors?._form} />
        {Object.keys(itemErrors).length > 0 ? (
          <FormError
            error={`workflow.review.invalidItems?count=${Object.keys(itemErrors).length}`}
          />
        ) : null}
        {review.rubric.elements.map((el) => (
          <div key={el.id} className="card overflow-x-auto p-0">
            <h2 className="border-b border-slate-200 px-4 py-2 text-base font-medium">
              {el.id} {textOf(el.title, locale)}
            </h2>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col" className="w-2/5">
                    {t("workflow.review.item")}
                  </th>
                  <th scope="col" className="w-1/4">
                    {t("workflow.review.self")}
                  </th>
                  <th scope="col">{t("workflow.review.mine")}</th>
                </tr>
              </thead>
              <tbody>
                {el.subElements.flatMap((sub) =>
                  sub.items.map((item) => {
                    index += 1;
                    return (
                      <ItemRow
                        key={item.id}
                        item={item}
                        index={index}
                        self={selfById.get(item.id) ?? null}
                        mine={mineById.get(item.id) ?? null}
                        evidence={review.evidence[item.id] ?? []}
                        editable={review.editable}
                        errors={itemErrors[item.id]}
                        onlyDiff={onlyDiff}
                        evidenceBase={`/t/${slug}/assessments/${review.id}/evidence`}
                      />
                    );
                  }),
                )}
              </tbody>
            </table>
          </div>
        ))}
        {review.editable ? (
          <div className="sticky bottom-0 flex justify-end border-t border-slate-200 bg-white/90 py-3">
            <button type="submit" className="btn-primary" disabled={navigation.state !== "idle"}>
              {t("workflow.review.save")}
            </button>
          </div>
        ) : null}
      </Form>

      <div className="card">
        <h2 className="mb-3 text-lg font-medium">{t("workflow.app.timeline")}</h2>
        <Timeline entries={app.history} />
      </div>
    </section>
  );
}

function ScoreCard({
  title,
  score,
  level,
  answered,
  items,
  testId,
}: {
  title: string;
  score: number | null;
  level: { zh: string; en?: string } | null;
  answered: number;
  items: number;
  testId?: string;
}) {
  const t = useT();
  const locale = useLocale();
  return (
    <div className="card" data-testid={testId}>
      <p className="text-xs text-slate-500">{title}</p>
      <p className="text-2xl font-semibold" data-score>
        {score === null ? "—" : score.toFixed(1)}
      </p>
      <p className="text-xs text-slate-600">
        {t("workflow.review.levelReached", {
          level: level ? textOf(level, locale) : t("workflow.app.noLevel"),
        })}
      </p>
      <p className="text-xs text-slate-500">{t("workflow.review.answered", { answered, items })}</p>
    </div>
  );
}

function AnswerSummary({ item, answer }: { item: RubricItem; answer: AnswerView | null }) {
  const t = useT();
  const locale = useLocale();
  if (!answer) return <span className="text-slate-500">{t("assessment.choice.unanswered")}</span>;
  const obtained = itemObtained(item, plainAnswer(answer));
  return (
    <div className="space-y-1 text-sm">
      <p>
        {t(`assessment.choice.${answer.choice}`)}
        {obtained !== null ? (
          <span className="ml-2 text-xs text-slate-500">
            {t("workflow.review.obtained", { obtained })}
          </span>
        ) : null}
      </p>
      {(answer.deductions ?? []).map((d) => {
        const rule = item.deductionRules.find((r) => r.id === d.rule);
        return (
          <p key={d.rule} className="text-xs text-slate-600">
            − {rule ? textOf(rule.text, locale) : d.rule} × {d.count}
            {d.note ? <span className="block text-slate-500">{d.note}</span> : null}
          </p>
        );
      })}
      {answer.naReason ? <p className="text-xs text-slate-600">{answer.naReason}</p> : null}
      {answer.note ? <p className="text-xs text-slate-500">{answer.note}</p> : null}
    </div>
  );
}

function ItemRow({
  item,
  index,
  self,
  mine,
  evidence,
  editable,
  errors,
  onlyDiff,
  evidenceBase,
}: {
  evidenceBase: string;
  item: RubricItem;
  index: number;
  self: AnswerView | null;
  mine: ReviewerAnswerView | null;
  evidence: LoaderData["review"]["evidence"][string];
  editable: boolean;
  errors: ItemErrors | undefined;
  onlyDiff: boolean;
}) {
  const t = useT();
  const locale = useLocale();
  const errorText = useErrorText();
  const selfObtained = self ? itemObtained(item, plainAnswer(self)) : null;
  const myObtained = mine ? itemObtained(item, plainAnswer(mine)) : null;
  const differs = mine !== null && (mine.choice !== self?.choice || myObtained !== selfObtained);
  const choices = ANSWER_CHOICES.filter((c) => c !== "na" || item.naAllowed);
  const name = (field: string) => `items.${index}.${field}`;
  const err = (field: string) => errorText(errors?.[field]);
  return (
    <tr
      data-item={item.id}
      data-diff={differs ? "true" : undefined}
      className={`${differs ? "bg-amber-50" : ""} ${errors ? "outline outline-2 outline-red-300" : ""}`}
      hidden={onlyDiff && !differs}
    >
      <td>
        <p>
          <span className="mr-1 font-mono text-xs text-slate-500">{item.id}</span>
          {textOf(item.text, locale)}
        </p>
        <p className="text-xs text-slate-500">
          {t("workflow.review.points", { points: item.points })}
          {" · "}
          {evidence.length > 0
            ? t("workflow.review.evidence", { count: evidence.length })
            : t("workflow.review.noEvidence")}
        </p>
        {evidence.length > 0 ? (
          <ul className="mt-1 text-xs text-slate-600">
            {evidence.map((e) => (
              <li key={e.fileId}>
                <a
                  href={`${evidenceBase}/${e.fileId}?inline=1`}
                  target="_blank"
                  rel="noreferrer"
                  className="text-brand-700 hover:underline"
                >
                  {e.filename}
                </a>
              </li>
            ))}
          </ul>
        ) : null}
        {differs ? (
          <span className="badge mt-1 bg-amber-100 text-amber-800">
            {t("workflow.review.diff")}
          </span>
        ) : null}
      </td>
      <td>
        <AnswerSummary item={item} answer={self} />
      </td>
      <td>
        <input type="hidden" name={name("itemId")} value={item.id} />
        <fieldset disabled={!editable} className="space-y-2">
          <div className="flex flex-wrap items-center gap-2">
            <select
              name={name("choice")}
              defaultValue={mine?.choice ?? ""}
              className="input w-40 py-1"
              aria-label={`${item.id} ${t("workflow.review.mine")}`}
            >
              <option value="">{t("workflow.review.notScored")}</option>
              {choices.map((c) => (
                <option key={c} value={c}>
                  {t(`assessment.choice.${c}`)}
                </option>
              ))}
            </select>
            {myObtained !== null ? (
              <span className="text-xs text-slate-500">
                {t("workflow.review.obtained", { obtained: myObtained })}
              </span>
            ) : null}
          </div>
          {err("choice") ? <p className="field-error">{err("choice")}</p> : null}
          {item.deductionRules.map((rule, r) => {
            const saved = mine?.deductions?.find((d) => d.rule === rule.id);
            return (
              <div key={rule.id} className="grid gap-1 sm:grid-cols-[minmax(0,1fr)_5rem]">
                <label className="text-xs text-slate-600" htmlFor={`${name("counts")}.${r}`}>
                  {textOf(rule.text, locale)}
                </label>
                <input
                  id={`${name("counts")}.${r}`}
                  type="number"
                  min={0}
                  max={maxDeductionCount(item, rule)}
                  name={`${name("counts")}.${r}`}
                  defaultValue={saved ? String(saved.count) : "0"}
                  className="input py-1"
                />
                <input
                  type="text"
                  name={`${name("ruleNotes")}.${r}`}
                  defaultValue={saved?.note ?? ""}
                  placeholder={t("workflow.review.deductionReason")}
                  aria-label={`${item.id} ${t("workflow.review.deductionReason")}`}
                  className="input py-1 sm:col-span-2"
                />
                {err(`counts.${r}`) ? (
                  <p className="field-error sm:col-span-2">{err(`counts.${r}`)}</p>
                ) : null}
              </div>
            );
          })}
          {err("deductions") ? <p className="field-error">{err("deductions")}</p> : null}
          {item.naAllowed ? (
            <input
              type="text"
              name={name("naReason")}
              defaultValue={mine?.naReason ?? ""}
              placeholder={t("assessment.item.naReason")}
              className="input py-1"
              aria-label={`${item.id} ${t("assessment.item.naReason")}`}
            />
          ) : null}
          {err("naReason") ? <p className="field-error">{err("naReason")}</p> : null}
          <input
            type="text"
            name={name("note")}
            defaultValue={mine?.note ?? ""}
            placeholder={t("workflow.review.note")}
            className="input py-1"
            aria-label={`${item.id} ${t("workflow.review.note")}`}
          />
          <input
            type="text"
            name={name("evidenceComment")}
            defaultValue={mine?.evidenceComment ?? ""}
            placeholder={t("workflow.review.evidenceComment")}
            className="input py-1"
            aria-label={`${item.id} ${t("workflow.review.evidenceComment")}`}
          />
          {err("evidenceComment") ? <p className="field-error">{err("evidenceComment")}</p> : null}
        </fieldset>
      </td>
    </tr>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  {
    title: d
      ? `${translate(d.locale, "workflow.reviews.title")} · ${d.review.enterpriseName}`
      : "SafeGrade",
  },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
