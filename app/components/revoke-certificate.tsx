/**
 * Revocation (撤销) on stated grounds: the regulator's form (grounds with their legal basis, the
 * facts, and a confirmation that names the consequences) and the list of grounds shown with a
 * revoked certificate. Works without JavaScript; with it, react-hook-form checks before posting.
 */
import { zodResolver } from "@hookform/resolvers/zod";
import { Form, useNavigation, useSubmit } from "@remix-run/react";
import { useForm } from "react-hook-form";
import { TextAreaField } from "~/components/form";
import { useErrorText, useLocale, useT } from "~/i18n/react";
import { formatDate } from "~/lib/datetime";
import {
  REVOCATION_GROUNDS,
  groundBasis,
  groundText,
  type RevocationGroundKey,
} from "~/lib/revocation-grounds";
import { revokeFormSchema, type RevokeForm } from "~/lib/revocation-form";

export function RevocationGroundsList({ grounds }: { grounds: readonly RevocationGroundKey[] }) {
  const t = useT();
  const locale = useLocale();
  return (
    <div className="mt-2" data-testid="revocation-grounds">
      <p className="font-medium">{t("revocation.public.grounds")}</p>
      <ul className="ml-5 list-disc">
        {grounds.map((g) => (
          <li key={g} data-ground={g}>
            {groundText(g, locale)}
            <span className="block text-xs opacity-80">
              {t("revocation.grounds.basis", { basis: groundBasis(g, locale) })}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function RevokeCertificateForm({
  version,
  months,
  reapplyFrom,
  preselected = [],
  serverErrors,
}: {
  version: number;
  months: number;
  reapplyFrom: string | null;
  preselected?: readonly RevocationGroundKey[];
  serverErrors?: Record<string, string>;
}) {
  const t = useT();
  const locale = useLocale();
  const errorText = useErrorText();
  const navigation = useNavigation();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm<RevokeForm>({
    resolver: zodResolver(revokeFormSchema),
    defaultValues: { grounds: [...preselected], reason: "" },
  });
  const groundsError = errors.grounds?.message ?? serverErrors?.grounds;
  const confirmError = errors.confirm?.message ?? serverErrors?.confirm;
  return (
    <Form
      method="post"
      noValidate
      className="flex flex-col gap-3 rounded-md border border-red-200 p-4 lg:col-span-2"
      data-change="revoke"
      data-testid="revoke-form"
      id="revoke"
      onSubmit={(event) => {
        const target = event.currentTarget;
        void handleSubmit(() => submit(target))(event);
      }}
    >
      <h3 className="font-medium">{t("revocation.title")}</h3>
      <input type="hidden" name="intent" value="revoke" />
      <input type="hidden" name="version" value={version} />
      <fieldset aria-describedby={groundsError ? "revoke-grounds-error" : undefined}>
        <legend className="label">{t("revocation.grounds.legend")}</legend>
        <div className="space-y-2">
          {REVOCATION_GROUNDS.map((g) => (
            <label key={g.key} className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                value={g.key}
                className="mt-1"
                data-ground={g.key}
                defaultChecked={preselected.includes(g.key)}
                {...register("grounds")}
              />
              <span>
                {groundText(g.key, locale)}
                <span className="block text-xs text-slate-500">
                  {t("revocation.grounds.basis", { basis: groundBasis(g.key, locale) })}
                </span>
              </span>
            </label>
          ))}
        </div>
        {groundsError ? (
          <p id="revoke-grounds-error" className="field-error" role="alert" data-field-error>
            {errorText(groundsError)}
          </p>
        ) : null}
      </fieldset>
      <TextAreaField
        label={t("revocation.facts.label")}
        rows={4}
        hint={t("revocation.facts.hint")}
        error={errors.reason?.message ?? serverErrors?.reason}
        {...register("reason")}
      />
      <div
        className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900"
        data-testid="revoke-consequences"
      >
        <p className="font-medium">{t("revocation.consequences.title")}</p>
        <ul className="ml-5 list-disc">
          <li>{t("revocation.consequences.public")}</li>
          <li>
            {reapplyFrom
              ? t("revocation.consequences.bar", {
                  months,
                  date: formatDate(reapplyFrom, locale),
                })
              : t("revocation.consequences.noBar")}
          </li>
          <li>{t("revocation.consequences.email")}</li>
          <li>{t("revocation.consequences.final")}</li>
        </ul>
        <label className="mt-2 flex items-start gap-2 font-medium">
          <input
            type="checkbox"
            value="on"
            className="mt-1"
            aria-describedby={confirmError ? "revoke-confirm-error" : undefined}
            {...register("confirm")}
          />
          <span>{t("revocation.confirm.label")}</span>
        </label>
        {confirmError ? (
          <p id="revoke-confirm-error" className="field-error" role="alert" data-field-error>
            {errorText(confirmError)}
          </p>
        ) : null}
      </div>
      <div>
        <button type="submit" className="btn-danger" disabled={navigation.state !== "idle"}>
          {t("revocation.submit")}
        </button>
      </div>
    </Form>
  );
}
