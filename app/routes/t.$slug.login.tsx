import { zodResolver } from "@hookform/resolvers/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useForm } from "react-hook-form";
import { attemptLogin, clientIp, getMember } from "~/auth.server";
import { FormError, TextField } from "~/components/form";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";
import { fieldErrors, loginSchema, msg } from "~/lib/validation";
import { requireTenant, tenantName } from "~/tenant.server";
import { safeRedirectTarget } from "~/lib/http/redirect-target";
import { readForm } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const url = new URL(request.url);
  const redirectTo = safeRedirectTarget(url.searchParams.get("redirectTo"), `/t/${tenant.slug}`);
  if (await getMember(request, tenant)) throw redirect(redirectTo);
  const locale = await getLocale(request);
  return { tenantName: tenantName(tenant, locale), slug: tenant.slug, redirectTo, locale };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const tenant = await requireTenant(params);
  const form = Object.fromEntries(await readForm(request));
  const parsed = loginSchema.safeParse(form);
  if (!parsed.success) return data({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const result = await attemptLogin({
    tenant,
    email: parsed.data.email,
    password: parsed.data.password,
    ip: clientIp(request),
    userAgent: request.headers.get("User-Agent") ?? "",
  });
  if (!result.ok) {
    const status = result.error === "rateLimited" ? 429 : result.error === "noMembership" ? 403 : 401;
    const message =
      result.error === "rateLimited"
        ? msg("errors.login.rateLimited", { minutes: result.retryAfterMinutes ?? 15 })
        : result.error === "noMembership"
          ? msg("errors.login.noMembership")
          : result.error === "disabled"
            ? msg("errors.login.disabled")
            : msg("errors.login.invalid");
    return data({ errors: { _form: message } as Record<string, string> }, { status });
  }
  return redirect(safeRedirectTarget(parsed.data.redirectTo, `/t/${tenant.slug}`), {
    headers: { "Set-Cookie": result.setCookie },
  });
}

export default function LoginPage() {
  const { tenantName: name, slug, redirectTo } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const navigation = useNavigation();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm({ resolver: zodResolver(loginSchema), defaultValues: { email: "", password: "", redirectTo } });
  const serverErrors = actionData?.errors ?? {};
  return (
    <div className="mx-auto max-w-md">
      <div className="card">
        <h1 className="page-title">{t("auth.login.title", { tenant: name })}</h1>
        <Form
          method="post"
          noValidate
          className="space-y-4"
          onSubmit={(event) => {
            const target = event.currentTarget;
            void handleSubmit(() => submit(target))(event);
          }}
        >
          <FormError error={serverErrors._form} />
          <input type="hidden" {...register("redirectTo")} />
          <TextField
            label={t("auth.login.email")}
            type="email"
            autoComplete="username"
            autoFocus
            error={errors.email?.message ?? serverErrors.email}
            {...register("email")}
          />
          <TextField
            label={t("auth.login.password")}
            type="password"
            autoComplete="current-password"
            error={errors.password?.message ?? serverErrors.password}
            {...register("password")}
          />
          <button type="submit" className="btn-primary w-full" disabled={navigation.state === "submitting"}>
            {t("auth.login.submit")}
          </button>
        </Form>
        <p className="mt-4 text-sm">
          <Link to={`/t/${slug}/forgot-password`} className="text-brand-600 hover:underline">
            {t("email.reset.forgotLink")}
          </Link>
        </p>
        <p className="mt-2 text-sm text-slate-600">
          {t("auth.login.noAccount")}{" "}
          <Link to={`/t/${slug}/register`} className="text-brand-600 hover:underline">
            {t("nav.register")}
          </Link>
        </p>
        <p className="mt-2 text-xs text-slate-500">{t("auth.login.demoHint")}</p>
      </div>
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? `${translate(d.locale, "nav.login")} · ${d.tenantName}` : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
