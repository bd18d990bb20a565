import { TextAreaField, TextField, SelectField, FieldShell } from "~/components/form";
import type { MessageKey } from "~/i18n";
import { useT } from "~/i18n/react";
import { GRANTABLE_LEVELS, type TenantConfigField } from "~/lib/tenant-config";

type Props = {
  values: Record<TenantConfigField, string>;
  errors: Record<string, string>;
};

const LEVEL_LABELS: Record<(typeof GRANTABLE_LEVELS)[number], MessageKey> = {
  level1: "platform.level.level1",
  level2: "platform.level.level2",
  level3: "platform.level.level3",
  qualified: "platform.level.qualified",
};

/** The tenant configuration fields (new and edit pages); validated on the server by tenantConfigSchema. */
export function TenantConfigFields({ values, errors }: Props) {
  const t = useT();
  const text = (name: TenantConfigField, label: MessageKey, extra: { hint?: string; inputMode?: "numeric" } = {}) => (
    <TextField name={name} label={t(label)} defaultValue={values[name]} error={errors[name]} {...extra} />
  );
  const area = (name: TenantConfigField, label: MessageKey, rows = 4) => (
    <TextAreaField name={name} label={t(label)} defaultValue={values[name]} error={errors[name]} rows={rows} />
  );
  const levels = values.grantableLevels.split(",").map((l) => l.trim());
  return (
    <>
      <fieldset className="card space-y-4">
        <legend className="font-medium">{t("platform.section.identity")}</legend>
        {text("authorityZh", "platform.field.authorityZh")}
        {text("authorityEn", "platform.field.authorityEn")}
        {text("provinceCode", "platform.field.provinceCode", { inputMode: "numeric" })}
        {text("cityCode", "platform.field.cityCode", { inputMode: "numeric" })}
        {area("districts", "platform.field.districts", 8)}
      </fieldset>
      <fieldset className="card space-y-4">
        <legend className="font-medium">{t("platform.section.certificates")}</legend>
        {text("numberPattern", "platform.field.numberPattern", { hint: t("platform.field.numberPatternHelp") })}
        <FieldShell label={t("platform.field.grantableLevels")} error={errors.grantableLevels}>
          {({ describedBy }) => (
            <div className="flex flex-wrap gap-4" aria-describedby={describedBy}>
              {GRANTABLE_LEVELS.map((level) => (
                <label key={level} className="flex items-center gap-1 text-sm">
                  <input type="checkbox" name="grantableLevels" value={level} defaultChecked={levels.includes(level)} />
                  {t(LEVEL_LABELS[level])}
                </label>
              ))}
            </div>
          )}
        </FieldShell>
        {text("certificateValidYears", "platform.field.certificateValidYears", { inputMode: "numeric" })}
      </fieldset>
      <fieldset className="card space-y-4">
        <legend className="font-medium">{t("platform.section.deadlines")}</legend>
        {text("acceptanceDays", "platform.field.acceptanceDays", { inputMode: "numeric" })}
        {text("reviewDays", "platform.field.reviewDays", { inputMode: "numeric" })}
        {text("publicNoticeDays", "platform.field.publicNoticeDays", { inputMode: "numeric" })}
        {text("reviewersRequired", "platform.field.reviewersRequired", { inputMode: "numeric" })}
        {area("holidays", "platform.field.holidays")}
        {area("extraWorkdays", "platform.field.extraWorkdays")}
      </fieldset>
      <fieldset className="card space-y-4">
        <legend className="font-medium">{t("platform.section.credit")}</legend>
        {text("creditDefenceDays", "platform.field.creditDefenceDays", { inputMode: "numeric" })}
        {text("creditRepairAfterMonths", "platform.field.creditRepairAfterMonths", { inputMode: "numeric" })}
        <SelectField
          name="creditCertificateEffect"
          label={t("platform.field.creditCertificateEffect")}
          defaultValue={values.creditCertificateEffect}
          error={errors.creditCertificateEffect}
          options={[
            { value: "", label: t("platform.field.effect.default") },
            { value: "revoke", label: t("platform.field.effect.revoke") },
            { value: "suspend", label: t("platform.field.effect.suspend") },
          ]}
        />
      </fieldset>
      <fieldset className="card space-y-4">
        <legend className="font-medium">{t("platform.section.targets")}</legend>
        {area("targets", "platform.field.targets", 6)}
      </fieldset>
    </>
  );
}

/** Form data → the flat input of tenantConfigSchema (checkbox lists joined). */
export function tenantConfigInputFrom(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of form) if (typeof value === "string" && key !== "grantableLevels") out[key] = value;
  out.grantableLevels = form
    .getAll("grantableLevels")
    .filter((v): v is string => typeof v === "string")
    .join(",");
  return out;
}
