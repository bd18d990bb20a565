/**
 * Workflow forms of Step 10's checks: the reviewer's rectification request with the deducted items
 * to rectify, and the authority's dismissal of an objection (keep or restart the notice period).
 */
import { zodResolver } from "@hookform/resolvers/zod";
import { Form, useNavigation, useSubmit } from "@remix-run/react";
import type { ReactNode } from "react";
import { useForm, type UseFormHandleSubmit } from "react-hook-form";
import { z } from "zod";
import { TextAreaField, TextField } from "~/components/form";
import { useErrorText, useLocale, useT } from "~/i18n/react";
import { textOf } from "~/lib/assessment/answers";
import { reasonSchema } from "~/lib/validation";
import { MAX_RECTIFICATION_DAYS } from "~/workflows/grading.machine";
import { Shell, useResultFor } from "./workflow-actions";
import { actionLabel } from "./workflow-ui";

/** The post form of one check event: intent and version fields, client validation, then the submit button. */
function CheckForm<T extends Record<string, unknown>>({
  type,
  blocked,
  version,
  action,
  handleSubmit,
  children,
}: {
  type: "REQUEST_RECTIFICATION" | "DISMISS_OBJECTION";
  blocked: string[];
  version: number;
  action?: string;
  handleSubmit: UseFormHandleSubmit<T>;
  children: ReactNode;
}) {
  const t = useT();
  const submit = useSubmit();
  const navigation = useNavigation();
  return (
    <Shell type={type} blocked={blocked}>
      <Form
        method="post"
        action={action}
        noValidate
        className="space-y-2"
        onSubmit={(event) => {
          const target = event.currentTarget;
          void handleSubmit(() => submit(target))(event);
        }}
      >
        <input type="hidden" name="intent" value={type} />
        <input type="hidden" name="version" value={version} />
        {children}
        <button type="submit" className="btn-primary" disabled={navigation.state !== "idle"}>
          {actionLabel(t, type)}
        </button>
      </Form>
    </Shell>
  );
}

const rectificationForm = z.object({
  reason: reasonSchema,
  days: z.coerce.number().int().min(1).max(MAX_RECTIFICATION_DAYS),
});

export function RectificationAction({
  blocked,
  version,
  action,
  options,
  reopenedCount,
}: {
  blocked: string[];
  version: number;
  action?: string;
  options: Array<{ itemId: string; title: { zh: string; en?: string } }>;
  reopenedCount: number;
}) {
  const t = useT();
  const locale = useLocale();
  const errorText = useErrorText();
  const result = useResultFor("REQUEST_RECTIFICATION");
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm({
    resolver: zodResolver(rectificationForm),
    defaultValues: { reason: "", days: 10 },
  });
  const itemsError = errorText(result?.errors?.itemIds);
  return (
    <CheckForm
      type="REQUEST_RECTIFICATION"
      blocked={blocked}
      version={version}
      action={action}
      handleSubmit={handleSubmit}
    >
      <fieldset className="space-y-1" data-testid="rectification-options">
        <legend className="label">{t("checks.form.itemsLegend")}</legend>
        {options.length === 0 ? (
          <p className="text-xs text-slate-500">{t("checks.form.noDeductions")}</p>
        ) : (
          <ul className="max-h-64 space-y-1 overflow-y-auto">
            {options.map((o) => (
              <li key={o.itemId}>
                <label className="check-label">
                  <input type="checkbox" name="itemIds" value={o.itemId} className="mt-1" />
                  <span>
                    <span className="font-mono text-xs text-slate-500">{o.itemId}</span>{" "}
                    {textOf(o.title, locale)}
                  </span>
                </label>
              </li>
            ))}
          </ul>
        )}
        {reopenedCount > 0 ? (
          <p className="text-xs text-amber-800">
            {t("rect.status.reopened")}: {reopenedCount}
          </p>
        ) : null}
        {itemsError ? (
          <p className="field-error" role="alert">
            {itemsError}
          </p>
        ) : null}
      </fieldset>
      <TextAreaField
        label={t("workflow.form.rectificationReason")}
        rows={3}
        error={errors.reason?.message ?? result?.errors?.reason}
        {...register("reason")}
      />
      <TextField
        label={t("workflow.form.days")}
        type="number"
        min={1}
        max={MAX_RECTIFICATION_DAYS}
        className="input w-32"
        error={
          errors.days ? `workflow.errors.days?max=${MAX_RECTIFICATION_DAYS}` : result?.errors?.days
        }
        {...register("days")}
      />
    </CheckForm>
  );
}

const dismissForm = z.object({ reason: reasonSchema });

export function DismissObjectionAction({
  blocked,
  version,
  action,
}: {
  blocked: string[];
  version: number;
  action?: string;
}) {
  const t = useT();
  const result = useResultFor("DISMISS_OBJECTION");
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm({ resolver: zodResolver(dismissForm), defaultValues: { reason: "" } });
  return (
    <CheckForm
      type="DISMISS_OBJECTION"
      blocked={blocked}
      version={version}
      action={action}
      handleSubmit={handleSubmit}
    >
      <TextAreaField
        label={t("checks.form.dismissReason")}
        rows={3}
        error={errors.reason?.message ?? result?.errors?.reason}
        {...register("reason")}
      />
      <label className="check-label">
        <input type="checkbox" name="restartNotice" value="true" className="mt-1" />
        <span>{t("checks.form.restartNotice")}</span>
      </label>
    </CheckForm>
  );
}
