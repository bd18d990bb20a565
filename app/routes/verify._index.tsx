/**
 * GET /verify — type or paste a certificate's verification code (or its whole verification URL).
 * A plain GET form, so it works before JavaScript loads; the loader forwards to /verify/<code>.
 */
import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { AppShell } from "~/components/app-shell";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { normalizeVerifyCode } from "~/lib/certificate";
import { getLocale } from "~/locale.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const locale = await getLocale(request);
  const raw = new URL(request.url).searchParams.get("code");
  if (raw !== null) {
    const code = normalizeVerifyCode(raw);
    if (code && /^[A-Za-z0-9_-]{1,64}$/.test(code)) return redirect(`/verify/${code}`);
    return {
      locale,
      error: code ? ("verify.form.invalid" as const) : ("verify.form.required" as const),
      value: raw.slice(0, 200),
    };
  }
  return { locale, error: null, value: "" };
}

export default function VerifyIndex() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <AppShell brandHref="/" title={t("verify.title")} nav={[]} user={null}>
      <section className="mx-auto max-w-xl py-10">
        <h1 className="page-title">{t("verify.form.title")}</h1>
        <p className="mb-6 text-slate-600">{t("verify.form.intro")}</p>
        <Form method="get" className="card space-y-3" data-testid="verify-form">
          <label htmlFor="verify-code" className="label">
            {t("verify.form.label")}
          </label>
          <input
            id="verify-code"
            name="code"
            defaultValue={d.value}
            className="input font-mono"
            autoComplete="off"
            spellCheck={false}
            maxLength={200}
            aria-invalid={d.error ? true : undefined}
            aria-describedby={d.error ? "verify-code-error" : "verify-code-hint"}
          />
          <p id="verify-code-hint" className="text-xs text-slate-500">
            {t("verify.form.hint")}
          </p>
          {d.error ? (
            <p id="verify-code-error" className="field-error" role="alert">
              {t(d.error)}
            </p>
          ) : null}
          <button type="submit" className="btn-primary">
            {t("verify.form.submit")}
          </button>
        </Form>
      </section>
    </AppShell>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: translate(d?.locale ?? "zh-CN", "verify.form.title") },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
