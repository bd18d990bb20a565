/**
 * The yearly report's structured part: accidents of the year, major hazards, changes. A plain form
 * (works without JavaScript): the filled accident rows come first, then one blank row to add
 * another; errors from the server sit next to their inputs (names like `accidents.0.deaths`).
 */
import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { useErrorText, useT } from "~/i18n/react";
import { ACCIDENT_CLASSES, type ReportPart } from "~/lib/yearly-report";
import { CHANGE_KEYS } from "~/lib/yearly-report-form";

type Part = Omit<ReportPart, "accidents"> & { accidents: Array<ReportPart["accidents"][number]> };

function Field({ label, name, error, children }: { label: string; name: string; error?: string; children: (id: string) => ReactNode }) {
  const errorText = useErrorText()(error);
  const id = `f-${name.replace(/\./g, "-")}`;
  return (
    <div>
      <label htmlFor={id} className="label text-xs">{label}</label>
      {children(id)}
      {errorText ? <p className="field-error" role="alert" data-field-error={name}>{errorText}</p> : null}
    </div>
  );
}

export function YearlyReportPartForm({ part, version, errors, busy }: { part: Part; version: number; errors: Record<string, string>; busy: boolean }) {
  const t = useT();
  const rows = [...part.accidents, null];
  return (
    <Form method="post" className="space-y-5" data-testid="yearly-part-form">
      <input type="hidden" name="intent" value="save" />
      <input type="hidden" name="version" value={version} />
      <fieldset className="space-y-3">
        <legend className="font-medium">{t("yearly.accidents.title")}</legend>
        <p className="text-xs text-slate-500">{t("yearly.accidents.none")}</p>
        {rows.map((a, i) => {
          const p = `accidents.${i}.`;
          return (
            <div key={i} className="grid gap-2 rounded border border-slate-200 p-3 sm:grid-cols-3" data-accident-row={i}>
              <Field label={t("yearly.accident.occurredOn")} name={`${p}occurredOn`} error={errors[`${p}occurredOn`]}>
                {(id) => <input id={id} type="date" name={`${p}occurredOn`} defaultValue={a?.occurredOn ?? ""} className="input" />}
              </Field>
              <Field label={t("yearly.accident.class")} name={`${p}accidentClass`} error={errors[`${p}accidentClass`]}>
                {(id) => (
                  <select id={id} name={`${p}accidentClass`} defaultValue={a?.accidentClass ?? "general"} className="input">
                    {ACCIDENT_CLASSES.map((c) => <option key={c} value={c}>{t(`yearly.accidentClass.${c}`)}</option>)}
                  </select>
                )}
              </Field>
              {(["deaths", "seriousInjuries", "directLoss"] as const).map((k) => (
                <Field key={k} label={t(`yearly.accident.${k}`)} name={`${p}${k}`} error={errors[`${p}${k}`]}>
                  {(id) => <input id={id} inputMode="decimal" name={`${p}${k}`} defaultValue={a ? String(a[k]) : ""} className="input" />}
                </Field>
              ))}
              <div className="sm:col-span-3">
                <Field label={t("yearly.accident.summary")} name={`${p}summary`} error={errors[`${p}summary`]}>
                  {(id) => <textarea id={id} name={`${p}summary`} rows={2} defaultValue={a?.summary ?? ""} className="input" maxLength={500} />}
                </Field>
              </div>
            </div>
          );
        })}
      </fieldset>
      <fieldset className="grid gap-2 sm:grid-cols-3">
        <legend className="font-medium">{t("yearly.hazards.title")}</legend>
        {(["found", "fixed", "overdue"] as const).map((k) => (
          <Field key={k} label={t(`yearly.hazards.${k}`)} name={`hazards.${k}`} error={errors[`hazards.${k}`]}>
            {(id) => <input id={id} inputMode="numeric" name={`hazards.${k}`} defaultValue={String(part.hazards[k])} className="input" />}
          </Field>
        ))}
      </fieldset>
      <fieldset className="space-y-2">
        <legend className="font-medium">{t("yearly.changes.title")}</legend>
        {CHANGE_KEYS.map((k) => (
          <div key={k} className="grid items-center gap-2 sm:grid-cols-3">
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" name={`changes.${k}.changed`} defaultChecked={part.changes[k].changed} />
              {t(`yearly.changes.${k}`)}
            </label>
            <div className="sm:col-span-2">
              <Field label={t("yearly.changes.detail")} name={`changes.${k}.detail`} error={errors[`changes.${k}.detail`]}>
                {(id) => <input id={id} name={`changes.${k}.detail`} defaultValue={part.changes[k].detail} className="input" maxLength={300} />}
              </Field>
            </div>
          </div>
        ))}
      </fieldset>
      <Field label={t("yearly.note")} name="note" error={errors.note}>
        {(id) => <textarea id={id} name="note" rows={3} defaultValue={part.note} className="input" maxLength={2000} />}
      </Field>
      <button type="submit" className="btn-secondary" disabled={busy}>{t("yearly.save")}</button>
    </Form>
  );
}

export function YearlyReportPartView({ part }: { part: Part }) {
  const t = useT();
  return (
    <div className="space-y-3 text-sm" data-testid="yearly-part-view">
      <div>
        <p className="font-medium">{t("yearly.accidents.title")}</p>
        {part.accidents.length === 0 ? (
          <p className="text-slate-500">—</p>
        ) : (
          <ul className="ml-5 list-disc">
            {part.accidents.map((a, i) => (
              <li key={i} data-accident={i}>
                {a.occurredOn} · {t(`yearly.accidentClass.${a.accidentClass}`)} · {t("yearly.accident.deaths")} {a.deaths} ·{" "}
                {t("yearly.accident.seriousInjuries")} {a.seriousInjuries} · {t("yearly.accident.directLoss")} {a.directLoss}
                {a.summary ? ` · ${a.summary}` : ""}
              </li>
            ))}
          </ul>
        )}
      </div>
      <p>
        {t("yearly.hazards.title")}: {t("yearly.hazards.found")} {part.hazards.found} · {t("yearly.hazards.fixed")} {part.hazards.fixed} ·{" "}
        {t("yearly.hazards.overdue")} {part.hazards.overdue}
      </p>
      <ul className="ml-5 list-disc">
        {CHANGE_KEYS.filter((k) => part.changes[k].changed).map((k) => (
          <li key={k}>{t(`yearly.changes.${k}`)}: {part.changes[k].detail || "—"}</li>
        ))}
      </ul>
      {part.note ? <p className="whitespace-pre-wrap">{part.note}</p> : null}
    </div>
  );
}
