import type { UseFormRegisterReturn } from "react-hook-form";
import type { z } from "zod";
import { useT } from "~/i18n/react";
import { INDUSTRY_KEYS, SIZE_CLASSES } from "~/lib/domain";
import { INDUSTRY_DIVISIONS, SCALE_FLAGS } from "~/lib/enterprise-master-data";
import type { EnterpriseFields, enterpriseFieldsSchema } from "~/lib/validation";
import { SelectField, TextField } from "./form";

export type EnterpriseFieldName = keyof EnterpriseFields;
/** What the form holds before zod parses it (selects may still be empty). */
export type EnterpriseFormInput = z.input<typeof enterpriseFieldsSchema>;

/**
 * The enterprise master-data inputs, shared by self-registration, "add enterprise" and the edit
 * form. Each form keeps its own react-hook-form instance and hands in `field`/`error` for its names.
 */
export function EnterpriseFieldset({
  field,
  error,
  districts,
  creditCodeReadOnly = false,
}: {
  field: (name: EnterpriseFieldName) => UseFormRegisterReturn;
  error: (name: EnterpriseFieldName) => string | undefined;
  districts: Array<{ code: string; name: string }>;
  creditCodeReadOnly?: boolean;
}) {
  const t = useT();
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <div className="sm:col-span-2">
        <TextField
          label={t("enterprise.name")}
          autoComplete="organization"
          error={error("name")}
          {...field("name")}
        />
      </div>
      <TextField
        label={t("enterprise.creditCode")}
        autoComplete="off"
        spellCheck={false}
        maxLength={40}
        className="input font-mono uppercase tracking-wider"
        readOnly={creditCodeReadOnly}
        hint={
          creditCodeReadOnly ? t("enterprise.creditCode.fixed") : t("enterprise.creditCode.hint")
        }
        error={error("creditCode")}
        data-testid="credit-code"
        {...field("creditCode")}
      />
      <SelectField
        label={t("enterprise.district")}
        placeholder={t("enterprise.choose")}
        options={districts.map((d) => ({ value: d.code, label: d.name }))}
        error={error("districtCode")}
        {...field("districtCode")}
      />
      <SelectField
        label={t("enterprise.industry")}
        placeholder={t("enterprise.choose")}
        options={INDUSTRY_KEYS.map((key) => ({ value: key, label: t(`industry.${key}`) }))}
        error={error("industry")}
        {...field("industry")}
      />
      <SelectField
        label={t("enterprise.industryDivision")}
        placeholder={t("enterprise.choose")}
        hint={t("enterprise.industryDivision.hint")}
        options={INDUSTRY_DIVISIONS.map((d) => ({ value: d.code, label: `${d.section}${d.code} ${d.zh}` }))}
        error={error("industryDivision")}
        {...field("industryDivision")}
      />
      <SelectField
        label={t("enterprise.scale")}
        placeholder={t("enterprise.choose")}
        hint={t("enterprise.scale.hint")}
        options={SCALE_FLAGS.map((s) => ({ value: s, label: t(`enterprise.scale.${s}`) }))}
        error={error("scale")}
        {...field("scale")}
      />
      <SelectField
        label={t("enterprise.sizeClass")}
        placeholder={t("enterprise.choose")}
        options={SIZE_CLASSES.map((size) => ({ value: size, label: t(`enterprise.size.${size}`) }))}
        error={error("sizeClass")}
        {...field("sizeClass")}
      />
      <div className="sm:col-span-2">
        <TextField
          label={t("enterprise.address")}
          autoComplete="street-address"
          error={error("address")}
          {...field("address")}
        />
      </div>
      <TextField
        label={t("enterprise.contactName")}
        autoComplete="name"
        error={error("contactName")}
        {...field("contactName")}
      />
      <TextField
        label={t("enterprise.contactPhone")}
        type="tel"
        autoComplete="tel"
        error={error("contactPhone")}
        {...field("contactPhone")}
      />
    </div>
  );
}

/** Empty text values for a new enterprise form; the selects are left unset and start on "Choose…". */
export const EMPTY_ENTERPRISE_TEXT = {
  name: "",
  creditCode: "",
  address: "",
  contactName: "",
  contactPhone: "",
};
