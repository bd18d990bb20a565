import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { clientIp, getUser } from "~/auth.server";
import { AppShell } from "~/components/app-shell";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, TextField } from "~/components/form";
import { attemptPlatformLogin } from "~/data/tenants/platform-auth.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { readForm } from "~/lib/http/read-form.server";
import { safeRedirectTarget } from "~/lib/http/redirect-target";
import { fieldErrors, loginSchema, msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const redirectTo = safeRedirectTarget(url.searchParams.get("redirectTo"), "/platform");
  const user = await getUser(request);
  if (user?.platformAdmin) throw redirect(redirectTo);
  return { redirectTo, locale: await getLocale(request) };
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = loginSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const result = await attemptPlatformLogin({
    email: parsed.data.email,
    password: parsed.data.password,
    ip: clientIp(request),
    request,
  });
  if (!result.ok) {
    const message =
      result.error === "rateLimited"
        ? msg("errors.login.rateLimited", { minutes: result.retryAfterMinutes ?? 15 })
        : result.error === "notAdmin"
          ? msg("platform.login.notAdmin")
          : result.error === "disabled"
            ? msg("errors.login.disabled")
            : msg("errors.login.invalid");
    const status = result.error === "rateLimited" ? 429 : result.error === "notAdmin" ? 403 : 401;
    return data({ errors: { _form: message } as Record<string, string> }, { status });
  }
  return redirect(safeRedirectTarget(parsed.data.redirectTo, "/platform"), { headers: { "Set-Cookie": result.setCookie } });
}

export default function PlatformLogin() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string> = actionData?.errors ?? {};
  const t = useT();
  const navigation = useNavigation();
  return (
    <AppShell brandHref="/" title={t("platform.title")} nav={[]} user={null}>
      <div className="mx-auto max-w-md card">
        <h1 className="page-title">{t("platform.login.title")}</h1>
        <Form method="post" noValidate className="space-y-4">
          <FormError error={errors._form} />
          <input type="hidden" name="redirectTo" value={redirectTo} />
          <TextField name="email" type="email" autoComplete="username" label={t("auth.login.email")} error={errors.email} autoFocus />
          <TextField name="password" type="password" autoComplete="current-password" label={t("auth.login.password")} error={errors.password} />
          <button type="submit" className="btn-primary w-full" disabled={navigation.state === "submitting"}>
            {t("auth.login.submit")}
          </button>
        </Form>
      </div>
    </AppShell>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "platform.login.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
