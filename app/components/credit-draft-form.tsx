/** The credit-record draft form (new record, and the regulator's edit form on the record page). */
import { zodResolver } from "@hookform/resolvers/zod";
import { Form, useNavigation, useSubmit } from "@remix-run/react";
import { useForm } from "react-hook-form";
import { useLooseT } from "~/components/credit-status";
import { FormError, SelectField, TextAreaField, TextField } from "~/components/form";
import { useT } from "~/i18n/react";
import { CREDIT_CONDITIONS, CREDIT_LIST_TYPES, CREDIT_SUBJECT_TYPES } from "~/lib/credit";
import { creditDraftSchema, type CreditDraftInput, type CreditDraftRaw } from "~/workflows/credit-input";

export type CreditDraftValues = {
  subjectName: string;
  creditCode: string;
  subjectType: string;
  responsibleName: string;
  responsibleIdNumber: string;
  listType: string;
  conditionKey: string;
  facts: string;
  legalBasis: string;
  penaltyDecisionNo: string;
  authority: string;
};

export const EMPTY_CREDIT_DRAFT: CreditDraftValues = {
  subjectName: "",
  creditCode: "",
  subjectType: "enterprise",
  responsibleName: "",
  responsibleIdNumber: "",
  listType: "serious2023",
  conditionKey: "",
  facts: "",
  legalBasis: "",
  penaltyDecisionNo: "",
  authority: "",
};

export function CreditDraftForm({
  defaults,
  conditions,
  serverErrors,
  submitLabel,
  hidden,
}: {
  defaults: CreditDraftValues;
  /** Keys the tenant offers. */
  conditions: string[];
  serverErrors: Record<string, string>;
  submitLabel: string;
  hidden?: Record<string, string>;
}) {
  const t = useT();
  const loose = useLooseT();
  const navigation = useNavigation();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    watch,
    formState: { errors },
  } = useForm<CreditDraftRaw, unknown, CreditDraftInput>({
    resolver: zodResolver(creditDraftSchema),
    mode: "onTouched",
    defaultValues: defaults as CreditDraftRaw,
  });
  const listType = watch("listType");
  const err = (name: keyof CreditDraftValues) => errors[name]?.message ?? serverErrors[name];
  const offered = CREDIT_CONDITIONS.filter((c) => conditions.includes(c.key) && c.listType === listType);
  return (
    <Form
      method="post"
      noValidate
      className="card space-y-4"
      data-testid="credit-draft-form"
      onSubmit={(event) => {
        const target = event.currentTarget;
        void handleSubmit(() => submit(target))(event);
      }}
    >
      {Object.entries(hidden ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <FormError error={serverErrors._form} />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label={t("credit.field.subjectName")} error={err("subjectName")} {...register("subjectName")} />
        <TextField
          label={t("credit.field.creditCode")}
          error={err("creditCode")}
          className="input font-mono"
          autoComplete="off"
          {...register("creditCode")}
        />
        <SelectField
          label={t("credit.field.subjectType")}
          error={err("subjectType")}
          options={CREDIT_SUBJECT_TYPES.map((v) => ({ value: v, label: loose(`credit.subjectType.${v}`) }))}
          {...register("subjectType")}
        />
        <SelectField
          label={t("credit.field.listType")}
          error={err("listType")}
          options={CREDIT_LIST_TYPES.map((v) => ({ value: v, label: loose(`credit.listType.${v}`) }))}
          {...register("listType")}
        />
        <div className="sm:col-span-2">
          <SelectField
            label={t("credit.field.condition")}
            error={err("conditionKey")}
            placeholder=""
            options={offered.map((c) => ({ value: c.key, label: loose(`credit.condition.${c.key}`) }))}
            {...register("conditionKey")}
          />
        </div>
        <TextField label={t("credit.field.responsibleName")} error={err("responsibleName")} {...register("responsibleName")} />
        <TextField
          label={t("credit.field.responsibleIdNumber")}
          error={err("responsibleIdNumber")}
          className="input font-mono"
          autoComplete="off"
          {...register("responsibleIdNumber")}
        />
        <TextField
          label={t("credit.field.penaltyDecisionNo")}
          hint={listType === "serious2023" ? t("credit.hint.penaltyDecisionNoRequired") : undefined}
          aria-required={listType === "serious2023"}
          error={err("penaltyDecisionNo")}
          {...register("penaltyDecisionNo")}
        />
        <TextField label={t("credit.field.authority")} error={err("authority")} {...register("authority")} />
      </div>
      <TextAreaField label={t("credit.field.facts")} rows={4} error={err("facts")} {...register("facts")} />
      <TextAreaField label={t("credit.field.legalBasis")} rows={2} error={err("legalBasis")} {...register("legalBasis")} />
      <div className="flex justify-end">
        <button type="submit" className="btn-primary" disabled={navigation.state === "submitting"} data-testid="credit-draft-submit">
          {submitLabel}
        </button>
      </div>
    </Form>
  );
}
