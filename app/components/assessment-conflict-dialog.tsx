/**
 * Shown when another member saved some of the items this person changed: theirs vs mine, side
 * by side, and the person decides. A modal <dialog> (focus moves in and stays; Escape does not
 * dismiss it, because leaving the choice open would leave the save blocked).
 */
import { useEffect, useRef } from "react";
import type { Translator } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import type { AccidentRecord } from "~/lib/assessment/accidents";
import { textOf, type AnswerView } from "~/lib/assessment/answers";
import { formatDateTime } from "~/lib/datetime";
import type { ItemAnswer, RubricItem } from "~/lib/rubric/schema";
import { useWizard } from "./assessment-wizard";

export function describeAnswer(
  t: Translator,
  item: RubricItem | undefined,
  answer: AnswerView | ItemAnswer | null,
  locale: string,
): string {
  if (!answer) return t("assessment.choice.unanswered");
  const parts = [t(`assessment.choice.${answer.choice}`)];
  if (answer.choice === "partial") {
    for (const d of answer.deductions ?? []) {
      const rule = item?.deductionRules.find((r) => r.id === d.rule);
      const count = d.count ?? 1;
      const text = `${rule ? textOf(rule.text, locale) : d.rule}${count > 1 ? ` ×${count}` : ""}`;
      parts.push(d.note ? t("assessment.summary.withNote", { text, note: d.note }) : text);
    }
  }
  if (answer.choice === "na" && answer.naReason) parts.push(answer.naReason);
  if (answer.note) parts.push(answer.note);
  return parts.join(t("assessment.list.separator"));
}

/** One line for an accident record: "none", or the count with totals. */
export function describeAccidents(t: Translator, record: AccidentRecord | null): string {
  if (!record) return t("assessment.accidents.undeclared");
  if (record.none) return t("assessment.accidents.summaryNone");
  const sum = (f: (a: AccidentRecord["accidents"][number]) => number) => record.accidents.reduce((acc, a) => acc + f(a), 0);
  // Loss in 万元 with up to 2 decimals: add in hundredths so 0.1 + 0.2 prints 0.3.
  const lossHundredths = sum((a) => Math.round(a.directLossWan * 100));
  return t("assessment.accidents.summarySome", {
    count: record.accidents.length,
    deaths: sum((a) => a.deaths),
    injuries: sum((a) => a.seriousInjuries),
    loss: String(lossHundredths / 100),
  });
}

export function ConflictDialog() {
  const t = useT();
  const locale = useLocale();
  const { conflict, keepMine, takeTheirs, itemWithText } = useWizard();
  const ref = useRef<HTMLDialogElement>(null);
  const open = conflict !== null && conflict.length > 0;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby="conflict-title"
      aria-describedby="conflict-intro"
      className="w-full max-w-3xl rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40"
      onCancel={(e) => e.preventDefault()}
      data-testid="conflict-dialog"
    >
      {open ? (
        <div className="space-y-4 p-5">
          <h2 id="conflict-title" className="text-lg font-semibold text-slate-900">
            {t("assessment.conflict.title")}
          </h2>
          <p id="conflict-intro" className="text-sm text-slate-600">
            {t("assessment.conflict.intro")}
          </p>
          <div className="max-h-[55vh] overflow-auto">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t("assessment.conflict.item")}</th>
                  <th scope="col">{t("assessment.conflict.theirs")}</th>
                  <th scope="col">{t("assessment.conflict.mine")}</th>
                </tr>
              </thead>
              <tbody>
                {conflict.map((c) => {
                  const by = (
                    <span className="block text-xs text-slate-500">
                      {t("assessment.conflict.by", {
                        name: c.by ?? t("assessment.conflict.someone"),
                        time: c.at ? formatDateTime(c.at, locale) : "",
                      })}
                    </span>
                  );
                  if (c.kind === "accidents") {
                    return (
                      <tr key="accidents" data-conflict-item="accidents">
                        <th scope="row" className="font-normal">
                          {t("assessment.conflict.accidents")}
                        </th>
                        <td>
                          <span className="block">{describeAccidents(t, c.theirs)}</span>
                          {by}
                        </td>
                        <td>{describeAccidents(t, c.mine)}</td>
                      </tr>
                    );
                  }
                  const item = itemWithText(c.itemId);
                  return (
                    <tr key={c.itemId} data-conflict-item={c.itemId}>
                      <th scope="row" className="font-normal">
                        <span className="font-mono text-xs text-slate-500">{c.itemId}</span>
                        <span className="block text-slate-800">{item ? textOf(item.text, locale) : ""}</span>
                      </th>
                      <td>
                        <span className="block">{describeAnswer(t, item, c.theirs, locale)}</span>
                        {by}
                      </td>
                      <td>{describeAnswer(t, item, c.mine, locale)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="flex flex-wrap justify-end gap-3">
            <button type="button" className="btn-secondary" onClick={takeTheirs} data-testid="conflict-take-theirs">
              {t("assessment.conflict.takeTheirs")}
            </button>
            <button type="button" className="btn-primary" onClick={keepMine} autoFocus data-testid="conflict-keep-mine">
              {t("assessment.conflict.keepMine")}
            </button>
          </div>
        </div>
      ) : null}
    </dialog>
  );
}
