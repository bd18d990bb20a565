import type { MetaFunction } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { useEffect, useId, useRef } from "react";
import { useForm } from "react-hook-form";
import { levelName } from "~/components/assessment-score";
import { useWizard } from "~/components/assessment-wizard";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { useLocale, useT } from "~/i18n/react";
import { textOf } from "~/lib/assessment/answers";
import type { PerformanceFormValue } from "~/lib/assessment/local-draft";

type PerformanceForm = { conditions: PerformanceFormValue[] };

export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "save" ? false : defaultShouldRevalidate;

/**
 * Safety-performance declaration (DOMAIN.md §4): one met / not met per condition of the pinned
 * rubric, with a note. Saved through the same autosave as the answers; a condition not met caps
 * the level in the live score at once.
 */
export default function PerformanceDeclaration() {
  const t = useT();
  const locale = useLocale();
  const wizard = useWizard();
  const wizardRef = useRef(wizard);
  wizardRef.current = wizard;
  const uid = useId();
  const conditions = wizard.rubric.performanceConditions;
  const { register, watch, getValues, setValue } = useForm<PerformanceForm>({
    defaultValues: { conditions: conditions.map((c) => wizard.performanceValueFor(c.id)) },
  });

  useEffect(() => {
    const subscription = watch((_values, { name }) => {
      const match = name ? /^conditions\.(\d+)/.exec(name) : null;
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
  }, [wizard.syncToken, conditions, getValues, setValue]);

  return (
    <form noValidate onSubmit={(e) => e.preventDefault()} className="space-y-4" aria-labelledby={`${uid}-title`}>
      <header>
        <h2 id={`${uid}-title`} className="text-xl font-semibold text-slate-900">
          {t("assessment.performance.title")}
        </h2>
        <p className="mt-1 text-sm text-slate-600">{t("assessment.performance.intro")}</p>
      </header>
      {conditions.map((c, i) => {
        const cap = c.failCap === "none" ? t("assessment.performance.capNone") : t("assessment.performance.cap", { level: levelName(wizard.rubric, c.failCap, locale) ?? c.failCap });
        const declared = wizard.performanceValueFor(c.id).passed !== "";
        return (
          <fieldset key={c.id} className="card space-y-3" disabled={!wizard.canEdit} aria-describedby={`${uid}-cap-${i}`} data-condition={c.id}>
            <legend className="text-sm font-medium text-slate-900">{textOf(c.text, locale)}</legend>
            <p id={`${uid}-cap-${i}`} className="text-xs text-slate-500">
              {cap}
              {declared ? "" : ` · ${t("assessment.performance.undeclared")}`}
            </p>
            <div className="flex gap-6">
              {(["yes", "no"] as const).map((v) => (
                <label key={v} className="inline-flex items-center gap-2 text-sm">
                  <input type="radio" value={v} className="h-4 w-4 border-slate-300 text-brand-600" {...register(`conditions.${i}.passed`)} />
                  {t(v === "yes" ? "assessment.performance.passed" : "assessment.performance.failed")}
                </label>
              ))}
            </div>
            <div>
              <label htmlFor={`${uid}-note-${i}`} className="label">
                {t("assessment.performance.note")}
              </label>
              <input id={`${uid}-note-${i}`} type="text" className="input" maxLength={2000} {...register(`conditions.${i}.note`)} />
            </div>
          </fieldset>
        );
      })}
    </form>
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
