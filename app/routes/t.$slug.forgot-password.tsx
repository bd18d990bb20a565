/** Asks for a password-reset link. Same answer whether or not the address has an account. */
import { zodResolver } from "@hookform/resolvers/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useForm } from "react-hook-form";
import { clientIp } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, TextField } from "~/components/form";
import { requestPasswordReset } from "~/data/password-reset.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { forgotPasswordSchema } from "~/lib/password-reset";
import { fieldErrors, msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { requireTenant, tenantName } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const locale = await getLocale(request);
  return { tenantName: tenantName(tenant, locale), slug: tenant.slug, locale };
}

type ActionResult = { sent?: true; errors?: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs) {
  const tenant = await requireTenant(params);
  const parsed = forgotPasswordSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data<ActionResult>({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const result = await requestPasswordReset({
    tenant,
    email: parsed.data.email,
    locale: await getLocale(request),
    ip: clientIp(request),
  });
  if (!result.ok)
    return data<ActionResult>(
      { errors: { _form: msg("email.reset.rateLimited", { minutes: result.retryAfterMinutes }) } },
      { status: 429 },
    );
  return data<ActionResult>({ sent: true });
}

export default function ForgotPasswordPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const navigation = useNavigation();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm({ resolver: zodResolver(forgotPasswordSchema), defaultValues: { email: "" } });
  const serverErrors = actionData?.errors ?? {};
  return (
    <div className="mx-auto max-w-md">
      <div className="card">
        <h1 className="page-title">{t("email.reset.requestTitle", { tenant: d.tenantName })}</h1>
        {actionData?.sent ? (
          <p className="rounded bg-green-50 p-3 text-sm text-green-800" role="status" data-testid="reset-requested">
            {t("email.reset.requested")}
          </p>
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
            <p className="text-sm text-slate-600">{t("email.reset.requestIntro")}</p>
            <FormError error={serverErrors._form} />
            <TextField
              label={t("email.reset.email")}
              type="email"
              autoComplete="username"
              autoFocus
              error={errors.email?.message ?? serverErrors.email}
              {...register("email")}
            />
            <button type="submit" className="btn-primary w-full" disabled={navigation.state === "submitting"}>
              {t("email.reset.requestSubmit")}
            </button>
          </Form>
        )}
        <p className="mt-4 text-sm">
          <Link to={`/t/${d.slug}/login`} className="text-brand-600 hover:underline">
            {t("email.reset.backToLogin")}
          </Link>
        </p>
      </div>
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "email.reset.requestTitle", { tenant: d.tenantName }) : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
