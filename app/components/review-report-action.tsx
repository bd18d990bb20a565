/**
 * The review report form (REPORT_REVIEW, Step 10). The level is never prefilled with a level the
 * consolidated score does not give: while the sheet is incomplete the person must choose, and a
 * choice other than the score's level asks for the reason the authority will read. A refusal
 * lists what is missing, each item linked to its element on the sheet.
 */
import { Form, Link, useActionData, useNavigation, useParams } from "@remix-run/react";
import { useState } from "react";
import { FormError, TextAreaField } from "~/components/form";
import { useErrorText, useLocale, useT } from "~/i18n/react";
import { textOf } from "~/lib/assessment/answers";
import { FAIL_OPTION } from "~/workflows/grading-input";
import { ConfirmSubmit } from "./confirm-dialog";
import type { OfferedLevel, WorkflowActionResult } from "./workflow-actions";
import { BlockedReasons, actionLabel } from "./workflow-ui";

export type SheetGapsView = {
  unscored: Array<{ itemId: string; elementId: string }>;
  naWithoutReason: Array<{ itemId: string; elementId: string }>;
  unconfirmed: Array<{ id: string; name: string }>;
};

/** What the report waits for; `complete` sheets show nothing. Links open the item's element. */
export function SheetGapsList({ gaps, limit = 12 }: { gaps: SheetGapsView; limit?: number }) {
  const t = useT();
  const params = useParams();
  const base = `/t/${params.slug ?? ""}/reviews/${params.id ?? ""}`;
  const { unscored, naWithoutReason, unconfirmed } = gaps;
  if (unscored.length + naWithoutReason.length + unconfirmed.length === 0) return null;
  const list = (entries: Array<{ itemId: string; elementId: string }>) => (
    <ul className="mt-1 flex flex-wrap gap-x-3 gap-y-1">
      {entries.slice(0, limit).map((g) => (
        <li key={g.itemId}>
          <Link to={`${base}?item=${encodeURIComponent(g.itemId)}#item-${g.itemId}`} className="font-mono underline">
            {g.itemId}
          </Link>
        </li>
      ))}
      {entries.length > limit ? <li>{t("reviewSheet.missing.more", { count: entries.length - limit })}</li> : null}
    </ul>
  );
  return (
    <div className="space-y-1 text-sm text-red-700" role="alert" data-testid="report-missing">
      <p className="font-medium">{t("reviewSheet.missing.title")}</p>
      {unscored.length > 0 ? (
        <div>
          <p>{t("reviewSheet.missing.unscored", { count: unscored.length })}</p>
          {list(unscored)}
        </div>
      ) : null}
      {naWithoutReason.length > 0 ? (
        <div>
          <p>{t("reviewSheet.missing.naReason", { count: naWithoutReason.length })}</p>
          {list(naWithoutReason)}
        </div>
      ) : null}
      {unconfirmed.length > 0 ? (
        <p>
          {unconfirmed.every((m) => m.name)
            ? t("reviewSheet.missing.unconfirmed", { names: unconfirmed.map((m) => m.name).join("、") })
            : t("reviewSheet.missing.unconfirmedCount", { count: unconfirmed.length })}
        </p>
      ) : null}
    </div>
  );
}

/** A refusal names ids only (pages without the sheet, e.g. the application page): link the items, count the members. */
function gapsOfRefusal(missing: NonNullable<WorkflowActionResult["missing"]>): SheetGapsView {
  const item = (itemId: string) => ({ itemId, elementId: "" });
  return {
    unscored: missing.unscored.map(item),
    naWithoutReason: missing.naWithoutReason.map(item),
    unconfirmed: missing.unconfirmed.map((id) => ({ id, name: "" })),
  };
}

export function ReviewReportAction({
  blocked,
  version,
  offeredLevels,
  appliedLevel,
  scoreLevel,
  complete,
  gaps,
  action,
}: {
  blocked: string[];
  version: number;
  offeredLevels: OfferedLevel[];
  appliedLevel: string | null;
  /** The level the consolidated score gives (null: none); undefined when not known on this page. */
  scoreLevel?: string | null;
  complete: boolean;
  gaps?: SheetGapsView;
  action?: string;
}) {
  const t = useT();
  const locale = useLocale();
  const errorText = useErrorText();
  const navigation = useNavigation();
  const data = useActionData<WorkflowActionResult>();
  const result = data && typeof data === "object" && "intent" in data && data.intent === "REPORT_REVIEW" ? data : null;
  const appliedIndex = Math.max(0, offeredLevels.findIndex((l) => l.key === appliedLevel));
  const options = offeredLevels.slice(appliedIndex);
  // Only a complete sheet's score suggests a level; otherwise nothing is preselected.
  const initial = complete && scoreLevel !== undefined ? (scoreLevel === null ? FAIL_OPTION : options.some((l) => l.key === scoreLevel) ? scoreLevel : "") : "";
  const [choice, setChoice] = useState(initial);
  const scoreKey = scoreLevel === null ? FAIL_OPTION : scoreLevel;
  const differs = choice !== "" && scoreLevel !== undefined && choice !== scoreKey;
  const nameOf = (key: string | null) => (key === null ? t("reviewSheet.noScoreLevel") : textOf(offeredLevels.find((l) => l.key === key)?.name ?? { zh: key }, locale));
  return (
    <div className="space-y-2 border-t border-slate-100 pt-4 first:border-t-0 first:pt-0" data-action="REPORT_REVIEW">
      <BlockedReasons reasons={blocked} />
      {gaps ? <SheetGapsList gaps={gaps} /> : result?.missing ? <SheetGapsList gaps={gapsOfRefusal(result.missing)} /> : null}
      {result && !result.ok ? (
        <>
          <FormError error={result.errors?._form} />
          {result.reasons && result.reasons.length > 0 && !result.errors ? <BlockedReasons reasons={result.reasons} /> : null}
        </>
      ) : null}
      <Form method="post" action={action} className="space-y-2">
        <input type="hidden" name="intent" value="REPORT_REVIEW" />
        <input type="hidden" name="version" value={version} />
        <div>
          <label htmlFor="recommended-level" className="label">
            {t("workflow.form.recommendedLevel")}
          </label>
          <select
            id="recommended-level"
            name="recommendedLevel"
            className="input max-w-sm"
            required
            value={choice}
            onChange={(e) => setChoice(e.target.value)}
          >
            <option value="" disabled>
              {t("reviewSheet.chooseLevel")}
            </option>
            {options.map((l) => (
              <option key={l.key} value={l.key}>
                {textOf(l.name, locale)}
              </option>
            ))}
            <option value={FAIL_OPTION}>{t("workflow.form.fail")}</option>
          </select>
          {scoreLevel !== undefined ? (
            <p className="mt-1 text-xs text-slate-500" data-testid="score-level">
              {t("reviewSheet.suggestedFromScore", { level: nameOf(scoreLevel) })}
            </p>
          ) : null}
          {errorText(result?.errors?.recommendedLevel) ? (
            <p className="field-error" role="alert">
              {errorText(result?.errors?.recommendedLevel)}
            </p>
          ) : null}
        </div>
        {differs ? <p className="text-xs text-amber-700">{t("reviewSheet.levelDiffersHint")}</p> : null}
        <TextAreaField label={t("workflow.form.reportReason")} name="reason" rows={3} error={result?.errors?.reason} />
        <ConfirmSubmit
          label={actionLabel(t, "REPORT_REVIEW")}
          title={t("confirm.report.title")}
          consequences={[t("confirm.report.final"), t("confirm.report.next")]}
          confirmLabel={t("confirm.report.confirm")}
          disabled={navigation.state !== "idle"}
          testId="report"
        />
      </Form>
    </div>
  );
}
