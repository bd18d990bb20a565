/** Sets a new password from an emailed link (single use; ends every session of the account). */
import { zodResolver } from "@hookform/resolvers/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useForm } from "react-hook-form";
import { clientIp } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, TextField } from "~/components/form";
import { findPasswordReset, passwordResetUsed, resetPassword } from "~/data/password-reset.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { resetPasswordSchema } from "~/lib/password-reset";
import { fieldErrors, msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { requireTenant } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const locale = await getLocale(request);
  const token = params.token ?? "";
  const found = await findPasswordReset({ tenantId: tenant._id, token });
  if (!found) {
    // A used link answers 200 (the page right after a successful reset renders with this loader);
    // unknown and expired links answer 410 Gone.
    const used = await passwordResetUsed({ tenantId: tenant._id, token });
    return data({ slug: tenant.slug, locale, valid: false as const, used, email: "" }, { status: used ? 200 : 410 });
  }
  return { slug: tenant.slug, locale, valid: true as const, used: false, email: found.email };
}

type ActionResult = { done?: true; errors?: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs) {
  const tenant = await requireTenant(params);
  const parsed = resetPasswordSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data<ActionResult>({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const result = await resetPassword({
    tenantId: tenant._id,
    token: params.token ?? "",
    password: parsed.data.password,
    ip: clientIp(request),
  });
  if (!result.ok) {
    if (result.error === "containsEmail")
      return data<ActionResult>({ errors: { password: msg("email.reset.containsEmail") } }, { status: 400 });
    if (result.error === "samePassword")
      return data<ActionResult>({ errors: { password: msg("email.reset.samePassword") } }, { status: 400 });
    return data<ActionResult>({ errors: { _form: msg("email.reset.invalid") } }, { status: 410 });
  }
  return data<ActionResult>({ done: true });
}

export default function ResetPasswordPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const navigation = useNavigation();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm({ resolver: zodResolver(resetPasswordSchema), defaultValues: { password: "", confirmPassword: "" } });
  const serverErrors = actionData?.errors ?? {};
  const loginLink = (
    <Link to={`/t/${d.slug}/login`} className="btn-primary mt-4">
      {t("email.reset.backToLogin")}
    </Link>
  );
  return (
    <div className="mx-auto max-w-md">
      <div className="card">
        <h1 className="page-title">{t("email.reset.title")}</h1>
        {actionData?.done ? (
          <div data-testid="reset-done">
            <p className="rounded bg-green-50 p-3 text-sm text-green-800" role="status">
              {t("email.reset.done")}
            </p>
            {loginLink}
          </div>
        ) : !d.valid ? (
          <div data-testid="reset-invalid">
            <p className="text-slate-700">{t(d.used ? "email.reset.used" : "email.reset.invalid")}</p>
            <Link to={`/t/${d.slug}/forgot-password`} className="btn-secondary mt-4">
              {t("email.reset.requestAgain")}
            </Link>
          </div>
        ) : (
          <Form
            method="post"
            noValidate
            className="space-y-4"
            onSubmit={(event) => {
              const target = event.currentTarget;
              void handleSubmit(() => submit(target))(event);
            }}
          >
            <p className="text-sm text-slate-600">{t("email.reset.for", { email: d.email })}</p>
            <FormError error={serverErrors._form} />
            <input type="email" name="username" value={d.email} autoComplete="username" readOnly hidden />
            <TextField
              label={t("email.reset.password")}
              type="password"
              autoComplete="new-password"
              autoFocus
              error={errors.password?.message ?? serverErrors.password}
              {...register("password")}
            />
            <TextField
              label={t("email.reset.confirmPassword")}
              type="password"
              autoComplete="new-password"
              error={errors.confirmPassword?.message ?? serverErrors.confirmPassword}
              {...register("confirmPassword")}
            />
            <button type="submit" className="btn-primary w-full" disabled={navigation.state === "submitting"}>
              {t("email.reset.submit")}
            </button>
          </Form>
        )}
      </div>
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "email.reset.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
