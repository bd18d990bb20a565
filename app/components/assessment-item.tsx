/**
 * One rubric item in the wizard: the finding as a native radio group (a fieldset whose legend is
 * the item, so screen readers announce "E1.1.2 …, radio group"), the deduction rules with bounded
 * count inputs when "partly meets" is chosen, the N/A reason, a note, the assessor guidance, the
 * evidence slot and the carried-over confirmation. Everything is a native control: Tab moves
 * between groups, arrow keys choose within the radio group, Space toggles checkboxes.
 */
import { useId, useState, type ReactNode } from "react";
import { Controller, useFormContext, useWatch } from "react-hook-form";
import { useErrorText, useLocale, useT } from "~/i18n/react";
import { ANSWER_CHOICES, emptyFormValue, itemObtained, maxDeductionCount, textOf, type ItemFormValue } from "~/lib/assessment/answers";
import { formatDateTime } from "~/lib/datetime";
import type { RubricItem } from "~/lib/rubric/schema";
import { useWizard } from "./assessment-wizard";

export type ElementFormValues = { items: ItemFormValue[] };

/** A stable, CSS-safe-enough id for an item (ids contain dots, which are fine in HTML ids and URL fragments). */
export function itemAnchor(itemId: string): string {
  return `item-${itemId}`;
}

export function AssessmentItem({
  item,
  index,
  initial,
  evidenceSlot,
}: {
  item: RubricItem;
  index: number;
  /** The values the form started with (server HTML shows them before the page is interactive). */
  initial?: ItemFormValue;
  evidenceSlot?: ReactNode;
}) {
  const t = useT();
  const locale = useLocale();
  const errorText = useErrorText();
  const wizard = useWizard();
  const { register, control, setValue } = useFormContext<ElementFormValues>();
  const choice = useWatch({ control, name: `items.${index}.choice` });
  const counts = useWatch({ control, name: `items.${index}.counts` });
  const [showGuidance, setShowGuidance] = useState(false);
  const uid = useId();
  const anchor = itemAnchor(item.id);
  const legendId = `${uid}-legend`;
  const disabled = !wizard.canEdit;

  const errors = wizard.itemErrors(item.id) ?? {};
  const err = (field: string) => errorText(errors[field]);
  const errId = (field: string) => `${uid}-err-${field.replace(/\W/g, "-")}`;
  const saved = wizard.serverAnswer(item.id);
  const carried = saved?.carriedOver === true && !wizard.hasDraft(item.id);
  const confirmPending = wizard.isConfirmPending(item.id);
  const obtained = itemObtained(item, wizard.effectiveAnswer(item.id));
  const unsaved = wizard.hasDraft(item.id);
  const choices = ANSWER_CHOICES.filter((c) => c !== "na" || item.naAllowed);
  const choiceError = err("choice");
  const savedBy = saved?.updatedBy ? wizard.editors[saved.updatedBy] : undefined;

  return (
    <section
      id={anchor}
      tabIndex={-1}
      aria-labelledby={legendId}
      className="item-card"
      data-item={item.id}
    >
      <fieldset aria-describedby={choiceError ? errId("choice") : undefined} disabled={disabled}>
        <legend id={legendId} className="text-sm text-slate-900">
          <span className="item-id">{item.id}</span>{" "}
          <span className="font-medium">{textOf(item.text, locale)}</span>{" "}
          <span className="item-points">{t("assessment.item.points", { points: item.points })}</span>
          {item.veto ? (
            <>
              {" "}
              <span className="badge ml-1 bg-red-100 text-red-700">{t("assessment.item.veto")}</span>
            </>
          ) : null}
        </legend>
        <div className="choices">
          {choices.map((c) => (
            <label key={c} className="choice">
              <input
                type="radio"
                value={c}
                className="choice-input"
                data-choice={c}
                defaultChecked={initial?.choice === c}
                {...register(`items.${index}.choice`)}
              />
              {t(`assessment.choice.${c}`)}
            </label>
          ))}
        </div>
        {choiceError ? (
          <p id={errId("choice")} className="field-error" role="alert">
            {choiceError}
          </p>
        ) : null}
      </fieldset>

      {item.veto && (choice === "partial" || choice === "none") ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" data-veto-warning>
          {t("labels.vetoFailed", { choice: t(`assessment.choice.${choice}`) })}
        </p>
      ) : null}

      {carried ? (
        <div className="flex flex-wrap items-center gap-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800" data-carried-over>
          <span className="badge bg-amber-100 text-amber-800">{t("assessment.item.carriedOver")}</span>
          {confirmPending ? (
            <span>{t("assessment.item.confirmPending")}</span>
          ) : (
            <button type="button" className="btn-secondary py-1" disabled={disabled} onClick={() => wizard.confirmCarried([item.id])}>
              {t("assessment.item.confirm")}
            </button>
          )}
        </div>
      ) : null}

      {choice === "partial" ? (
        <fieldset
          className="rounded-md border border-slate-200 p-3"
          disabled={disabled}
          aria-describedby={err("deductions") ? errId("deductions") : undefined}
        >
          <legend className="px-1 text-sm font-medium text-slate-700">{t("assessment.item.deductions")}</legend>
          <ul className="space-y-3">
            {item.deductionRules.map((rule, r) => {
              const max = maxDeductionCount(item, rule);
              const count = counts?.[r] ?? "0";
              const active = count !== "" && count !== "0";
              const countError = err(`counts.${r}`);
              const ruleHint =
                rule.per === "all"
                  ? t("assessment.item.ruleAll")
                  : rule.cap !== undefined
                    ? t("assessment.item.rulePerCap", { per: rule.per, cap: rule.cap })
                    : t("assessment.item.rulePer", { per: rule.per });
              const ruleTextId = `${uid}-rule-${r}`;
              return (
                <li key={rule.id} className="space-y-2" data-rule={rule.id}>
                  <p id={ruleTextId} className="text-sm text-slate-800">
                    {textOf(rule.text, locale)} <span className="text-xs text-slate-500">{ruleHint}</span>
                  </p>
                  {rule.per === "all" ? (
                    <Controller
                      control={control}
                      name={`items.${index}.counts.${r}`}
                      render={({ field }) => (
                        <label className="inline-flex items-center gap-2 text-sm">
                          <input
                            type="checkbox"
                            className="h-4 w-4 rounded border-slate-300 text-brand-600"
                            ref={field.ref}
                            name={field.name}
                            checked={field.value === "1"}
                            onBlur={field.onBlur}
                            onChange={(e) => field.onChange(e.target.checked ? "1" : "0")}
                            aria-describedby={ruleTextId}
                          />
                          {t("assessment.item.ruleApplies")}
                        </label>
                      )}
                    />
                  ) : (
                    <div>
                      <label htmlFor={`${uid}-count-${r}`} className="mr-2 text-xs text-slate-600">
                        {t("assessment.item.count", { max })}
                      </label>
                      <input
                        id={`${uid}-count-${r}`}
                        type="number"
                        inputMode="numeric"
                        min={0}
                        max={max}
                        step={1}
                        className="input inline-block w-24"
                        aria-invalid={countError ? true : undefined}
                        aria-describedby={[ruleTextId, countError ? errId(`counts.${r}`) : null].filter(Boolean).join(" ")}
                        defaultValue={initial?.counts[r]}
                        {...register(`items.${index}.counts.${r}`)}
                      />
                      {countError ? (
                        <p id={errId(`counts.${r}`)} className="field-error" role="alert">
                          {countError}
                        </p>
                      ) : null}
                    </div>
                  )}
                  {active ? (
                    <div>
                      <label htmlFor={`${uid}-rnote-${r}`} className="label text-xs">
                        {t("assessment.item.ruleNote")}
                      </label>
                      <input
                        id={`${uid}-rnote-${r}`}
                        type="text"
                        className="input"
                        maxLength={2000}
                        aria-describedby={ruleTextId}
                        defaultValue={initial?.ruleNotes[r]}
                        {...register(`items.${index}.ruleNotes.${r}`)}
                      />
                    </div>
                  ) : null}
                </li>
              );
            })}
          </ul>
          {err("deductions") ? (
            <p id={errId("deductions")} className="field-error" role="alert">
              {err("deductions")}
            </p>
          ) : null}
        </fieldset>
      ) : null}

      {choice === "na" ? (
        <div>
          <label htmlFor={`${uid}-na`} className="label">
            {t("assessment.item.naReason")} <span className="text-red-600">*</span>
          </label>
          <textarea
            id={`${uid}-na`}
            rows={2}
            className="input"
            required
            maxLength={2000}
            disabled={disabled}
            aria-invalid={err("naReason") ? true : undefined}
            aria-describedby={err("naReason") ? errId("naReason") : undefined}
            defaultValue={initial?.naReason}
            {...register(`items.${index}.naReason`)}
          />
          {err("naReason") ? (
            <p id={errId("naReason")} className="field-error" role="alert">
              {err("naReason")}
            </p>
          ) : null}
        </div>
      ) : null}

      <div>
        <label htmlFor={`${uid}-note`} className="label">
          {t("assessment.item.note")}
        </label>
        <textarea
          id={`${uid}-note`}
          rows={choice === "none" ? 2 : 1}
          className="input"
          maxLength={2000}
          disabled={disabled}
          aria-invalid={err("note") ? true : undefined}
          aria-describedby={err("note") ? errId("note") : undefined}
          defaultValue={initial?.note}
          {...register(`items.${index}.note`)}
        />
        {err("note") ? (
          <p id={errId("note")} className="field-error" role="alert">
            {err("note")}
          </p>
        ) : null}
      </div>

      {item.guidance ? (
        <div>
          <button
            type="button"
            className="link-toggle"
            aria-expanded={showGuidance}
            aria-controls={`${uid}-guidance`}
            onClick={() => setShowGuidance((v) => !v)}
          >
            {showGuidance ? t("assessment.item.guidanceHide") : t("assessment.item.guidanceShow")}
          </button>
          <div id={`${uid}-guidance`} hidden={!showGuidance} className="hint-box">
            {textOf(item.guidance, locale)}
          </div>
        </div>
      ) : null}

      {evidenceSlot}

      <div className="item-footer">
        <span data-item-score>
          {obtained === null
            ? choice === "na"
              ? t("assessment.item.obtainedNa")
              : t("assessment.choice.unanswered")
            : t("assessment.item.obtained", { obtained, points: item.points })}
        </span>
        <span className="flex items-center gap-3">
          {unsaved ? <span className="badge bg-amber-100 text-amber-800">{t("assessment.item.unsaved")}</span> : null}
          {saved?.updatedAt && savedBy && !unsaved ? (
            <span>{t("assessment.item.savedBy", { name: savedBy, time: formatDateTime(saved.updatedAt, locale) })}</span>
          ) : null}
          {!disabled && choice !== "" ? (
            <button
              type="button"
              className="link-quiet"
              onClick={() => setValue(`items.${index}`, emptyFormValue(item), { shouldDirty: true })}
            >
              {t("assessment.item.clear")}
            </button>
          ) : null}
        </span>
      </div>
    </section>
  );
}
