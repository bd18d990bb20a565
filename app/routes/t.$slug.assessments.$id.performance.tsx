import type { MetaFunction } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { useEffect, useId, useRef, useState } from "react";
import { useFieldArray, useForm, useFormState, useWatch, type Control } from "react-hook-form";
import { levelName } from "~/components/assessment-score";
import { useWizard } from "~/components/assessment-wizard";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { useErrorText, useLocale, useT } from "~/i18n/react";
import {
  ACCIDENT_CLASSES,
  chinaToday,
  declarationHints,
  emptyAccidentRow,
  performanceFromAccidents,
  type AccidentFormValue,
} from "~/lib/assessment/accidents";
import { textOf } from "~/lib/assessment/answers";
import type { PerformanceFormValue } from "~/lib/assessment/local-draft";

type PerformanceForm = { conditions: PerformanceFormValue[]; accidents: AccidentFormValue };

export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "save" ? false : defaultShouldRevalidate;

/**
 * Safety-performance declaration (DOMAIN.md §4): the accident record of the period before applying,
 * and one met / not met per condition of the pinned rubric, with a note. Saved through the same
 * autosave as the answers; a condition not met caps the level in the live score at once.
 */
export default function PerformanceDeclaration() {
  const t = useT();
  const locale = useLocale();
  const wizard = useWizard();
  const wizardRef = useRef(wizard);
  wizardRef.current = wizard;
  const uid = useId();
  const conditions = wizard.rubric.performanceConditions;
  // Also rendered into the server HTML, so declarations show before hydration.
  const [initial] = useState<PerformanceForm>(() => ({
    conditions: conditions.map((c) => wizard.performanceValueFor(c.id)),
    accidents: wizard.accidentValue(),
  }));
  const form = useForm<PerformanceForm>({ defaultValues: initial });
  const { register, watch, getValues, setValue, control } = form;

  useEffect(() => {
    const subscription = watch((_values, { name }) => {
      if (!name) return;
      if (name.startsWith("accidents")) {
        wizardRef.current.setAccidentDraft(getValues("accidents"));
        return;
      }
      const match = /^conditions\.(\d+)/.exec(name);
      if (!match) return;
      const i = Number(match[1]);
      const condition = conditions[i];
      if (condition) wizardRef.current.setPerformanceDraft(condition.id, getValues(`conditions.${i}`));
    });
    return () => subscription.unsubscribe();
  }, [watch, getValues, conditions]);

  const syncedRef = useRef(wizard.syncToken);
  useEffect(() => {
    if (syncedRef.current === wizard.syncToken) return;
    syncedRef.current = wizard.syncToken;
    conditions.forEach((c, i) => {
      const desired = wizardRef.current.performanceValueFor(c.id);
      const current = getValues(`conditions.${i}`);
      if (current.passed !== desired.passed || current.note !== desired.note) setValue(`conditions.${i}`, desired);
    });
    const accidents = wizardRef.current.accidentValue();
    if (JSON.stringify(getValues("accidents")) !== JSON.stringify(accidents)) setValue("accidents", accidents);
  }, [wizard.syncToken, conditions, getValues, setValue]);

  const watched = useWatch({ control, name: "conditions" });
  const declared = new Map<string, boolean>();
  conditions.forEach((c, i) => {
    const v = watched?.[i]?.passed;
    if (v === "yes" || v === "no") declared.set(c.id, v === "yes");
  });
  const hints = declarationHints(wizard.effectiveAccidentRecord, declared, chinaToday());
  // The shipped conditions follow from the recorded accidents: once a record exists their answer
  // is set from it (totals over 12 months), and saved through the same autosave.
  const derived = performanceFromAccidents(wizard.effectiveAccidentRecord, chinaToday());
  const derivedKey = derived ? JSON.stringify([...derived]) : "";
  // Read through a ref: the effect runs when the derived answers change (derivedKey), not on every
  // render's new Map.
  const derivedRef = useRef(derived);
  derivedRef.current = derived;
  useEffect(() => {
    const derived = derivedRef.current;
    if (!derived || !wizardRef.current.canEdit) return;
    conditions.forEach((c, i) => {
      const value = derived.get(c.id as never);
      if (value === undefined) return;
      const want = value ? "yes" : "no";
      if (getValues(`conditions.${i}.passed`) !== want) setValue(`conditions.${i}.passed`, want, { shouldDirty: true });
    });
  }, [derivedKey, conditions, getValues, setValue]);

  return (
    <form noValidate onSubmit={(e) => e.preventDefault()} className="space-y-4" aria-labelledby={`${uid}-title`}>
      <header>
        <h2 id={`${uid}-title`} className="text-xl font-semibold text-slate-900">
          {t("assessment.performance.title")}
        </h2>
        <p className="mt-1 text-sm text-slate-600">{t("assessment.performance.intro")}</p>
      </header>

      <AccidentRecordFields control={control} register={register} disabled={!wizard.canEdit} initialStatus={initial.accidents.status} />

      {conditions.map((c, i) => {
        const cap =
          c.failCap === "none"
            ? t("assessment.performance.capNone")
            : t("assessment.performance.cap", { level: levelName(wizard.rubric, c.failCap, locale) ?? c.failCap });
        const isDeclared = declared.has(c.id);
        const hint = hints.find((h) => h.conditionId === c.id);
        return (
          <fieldset key={c.id} className="card space-y-3" disabled={!wizard.canEdit} aria-describedby={`${uid}-cap-${i}`} data-condition={c.id}>
            <legend className="text-sm font-medium text-slate-900">{textOf(c.text, locale)}</legend>
            <p id={`${uid}-cap-${i}`} className="text-xs text-slate-500">
              {cap}
              {isDeclared ? "" : ` · ${t("assessment.performance.undeclared")}`}
            </p>
            <div className="flex gap-6">
              {(["yes", "no"] as const).map((v) => (
                <label key={v} className="inline-flex items-center gap-2 text-sm">
                  <input
                    type="radio"
                    value={v}
                    className="h-4 w-4 border-slate-300 text-brand-600"
                    defaultChecked={initial.conditions[i]?.passed === v}
                    {...register(`conditions.${i}.passed`)}
                  />
                  {t(v === "yes" ? "assessment.performance.passed" : "assessment.performance.failed")}
                </label>
              ))}
            </div>
            {derived?.has(c.id as never) ? (
              <p className="text-sm text-slate-700" data-derived={c.id}>
                {t(derived.get(c.id as never) ? "assessment.performance.derivedMet" : "assessment.performance.derivedNotMet")}
              </p>
            ) : null}
            {hint ? (
              <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800" data-hint={c.id}>
                {t(hint.key)}
              </p>
            ) : null}
            <div>
              <label htmlFor={`${uid}-note-${i}`} className="label">
                {t("assessment.performance.note")}
              </label>
              <input
                id={`${uid}-note-${i}`}
                type="text"
                className="input"
                maxLength={2000}
                defaultValue={initial.conditions[i]?.note}
                {...register(`conditions.${i}.note`)}
              />
            </div>
          </fieldset>
        );
      })}
    </form>
  );
}

function AccidentRecordFields({
  control,
  register,
  disabled,
  initialStatus,
}: {
  control: Control<PerformanceForm>;
  register: ReturnType<typeof useForm<PerformanceForm>>["register"];
  disabled: boolean;
  initialStatus: AccidentFormValue["status"];
}) {
  const t = useT();
  const errorText = useErrorText();
  const wizard = useWizard();
  const uid = useId();
  const status = useWatch({ control, name: "accidents.status" });
  const { fields, append, remove } = useFieldArray({ control, name: "accidents.accidents" });
  const errors = wizard.accidentErrors() ?? {};
  const { touchedFields } = useFormState({ control, name: "accidents.accidents" });
  const today = chinaToday();
  // A new row is incomplete by nature: its fields show errors once visited, not on arrival.
  const err = (key: string) => {
    const match = /^accidents\.(\d+)\.(\w+)$/.exec(key);
    if (match) {
      const row = touchedFields.accidents?.accidents?.[Number(match[1])];
      const field = match[2] as keyof NonNullable<typeof row>;
      if (!row?.[field]) return undefined;
    }
    return errorText(errors[key]);
  };
  const fieldError = (key: string) =>
    err(key) ? (
      <p id={`${uid}-${key}`} className="field-error" role="alert">
        {err(key)}
      </p>
    ) : null;
  const describedBy = (key: string) => (err(key) ? `${uid}-${key}` : undefined);

  return (
    <section className="card space-y-4" aria-labelledby={`${uid}-title`} data-testid="accident-record">
      <h3 id={`${uid}-title`} className="text-base font-medium text-slate-900">
        {t("assessment.accidents.title")}
      </h3>
      <fieldset disabled={disabled} aria-describedby={describedBy("status")}>
        <legend className="text-sm text-slate-700">{t("assessment.accidents.legend")}</legend>
        <div className="mt-2 flex flex-wrap gap-6">
          {(["none", "some"] as const).map((v) => (
            <label key={v} className="inline-flex items-center gap-2 text-sm">
              <input type="radio" value={v} className="h-4 w-4" defaultChecked={initialStatus === v} {...register("accidents.status")} />
              {t(v === "none" ? "assessment.accidents.none" : "assessment.accidents.some")}
            </label>
          ))}
        </div>
        {fieldError("status")}
      </fieldset>
      {status === "some" ? (
        <div className="space-y-3">
          {fields.map((field, i) => {
            const key = (f: string) => `accidents.${i}.${f}`;
            const id = (f: string) => `${uid}-${i}-${f}`;
            return (
              <fieldset key={field.id} className="rounded-md border border-slate-200 p-3" disabled={disabled} data-accident={i}>
                <legend className="px-1 text-sm font-medium text-slate-700">{t("assessment.accidents.entry", { n: i + 1 })}</legend>
                <div className="grid gap-3 sm:grid-cols-3">
                  <div>
                    <label htmlFor={id("date")} className="label">
                      {t("assessment.accidents.occurredOn")}
                    </label>
                    <input id={id("date")} type="date" max={today} className="input" aria-describedby={describedBy(key("occurredOn"))} defaultValue={field.occurredOn} {...register(`accidents.accidents.${i}.occurredOn`)} />
                    {fieldError(key("occurredOn"))}
                  </div>
                  <div>
                    <label htmlFor={id("class")} className="label">
                      {t("assessment.accidents.class")}
                    </label>
                    <select id={id("class")} className="input" aria-describedby={describedBy(key("accidentClass"))} defaultValue={field.accidentClass} {...register(`accidents.accidents.${i}.accidentClass`)}>
                      <option value="">{t("enterprise.choose")}</option>
                      {ACCIDENT_CLASSES.map((c) => (
                        <option key={c} value={c}>
                          {t(`assessment.accidents.class.${c}`)}
                        </option>
                      ))}
                    </select>
                    {fieldError(key("accidentClass"))}
                  </div>
                  <div>
                    <label htmlFor={id("loss")} className="label">
                      {t("assessment.accidents.directLoss")}
                    </label>
                    <input id={id("loss")} type="text" inputMode="decimal" className="input" aria-describedby={describedBy(key("directLossWan"))} defaultValue={field.directLossWan} {...register(`accidents.accidents.${i}.directLossWan`)} />
                    {fieldError(key("directLossWan"))}
                  </div>
                  <div>
                    <label htmlFor={id("deaths")} className="label">
                      {t("assessment.accidents.deaths")}
                    </label>
                    <input id={id("deaths")} type="number" min={0} step={1} inputMode="numeric" className="input" aria-describedby={describedBy(key("deaths"))} defaultValue={field.deaths} {...register(`accidents.accidents.${i}.deaths`)} />
                    {fieldError(key("deaths"))}
                  </div>
                  <div>
                    <label htmlFor={id("injuries")} className="label">
                      {t("assessment.accidents.seriousInjuries")}
                    </label>
                    <input id={id("injuries")} type="number" min={0} step={1} inputMode="numeric" className="input" aria-describedby={describedBy(key("seriousInjuries"))} defaultValue={field.seriousInjuries} {...register(`accidents.accidents.${i}.seriousInjuries`)} />
                    {fieldError(key("seriousInjuries"))}
                  </div>
                  <fieldset aria-describedby={describedBy(key("reportedOnTime"))}>
                    <legend className="label">{t("assessment.accidents.reportedOnTime")}</legend>
                    <div className="flex gap-4">
                      {(["yes", "no"] as const).map((v) => (
                        <label key={v} className="inline-flex items-center gap-2 text-sm">
                          <input
                            type="radio"
                            value={v}
                            className="h-4 w-4"
                            defaultChecked={field.reportedOnTime === v}
                            {...register(`accidents.accidents.${i}.reportedOnTime`)}
                          />
                          {t(v === "yes" ? "common.yes" : "common.no")}
                        </label>
                      ))}
                    </div>
                    {fieldError(key("reportedOnTime"))}
                  </fieldset>
                </div>
                <div className="mt-3">
                  <label htmlFor={id("desc")} className="label">
                    {t("assessment.accidents.description")}
                  </label>
                  <input id={id("desc")} type="text" maxLength={500} className="input" defaultValue={field.description} {...register(`accidents.accidents.${i}.description`)} />
                  {fieldError(key("description"))}
                </div>
                <button type="button" className="btn-secondary mt-3 py-1" onClick={() => remove(i)}>
                  {t("assessment.accidents.remove", { n: i + 1 })}
                </button>
              </fieldset>
            );
          })}
          {!disabled ? (
            <button type="button" className="btn-secondary" onClick={() => append(emptyAccidentRow())}>
              {t("assessment.accidents.add")}
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
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
