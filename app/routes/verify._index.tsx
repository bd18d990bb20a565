/**
 * GET /verify — check a certificate two ways, both plain GET forms that work before JavaScript:
 * - by its verification code (or the whole URL the QR code holds): forwarded to /verify/<code>;
 * - by its printed number PLUS the holder's unified social credit code (both required, so numbers
 *   cannot be enumerated): answered on this page, without the verification code or the PDF.
 * Lookups are rate limited per IP like the other public verification endpoints.
 */
import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { clientIp } from "~/auth.server";
import { AppShell } from "~/components/app-shell";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Verified } from "~/components/verification-result";
import {
  NUMBER_LOOKUP_MAX,
  findCertificateByNumber,
  hitVerifyRateLimit,
  normalizeCertificateNumber,
  type PublicCertificate,
} from "~/data/certificates.server";
import { translate, type MessageKey } from "~/i18n";
import { useErrorText, useT } from "~/i18n/react";
import { normalizeVerifyCode } from "~/lib/certificate";
import { validateCreditCode } from "~/lib/credit-code";
import { creditCodeMessage, msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";

type Lookup = {
  number: string;
  creditCode: string;
  errors: { number?: string; creditCode?: string };
  result: PublicCertificate | null;
  notFound: boolean;
  rateLimitedMinutes: number | null;
};

const emptyLookup: Lookup = {
  number: "",
  creditCode: "",
  errors: {},
  result: null,
  notFound: false,
  rateLimitedMinutes: null,
};

export async function loader({ request }: LoaderFunctionArgs) {
  const locale = await getLocale(request);
  const search = new URL(request.url).searchParams;
  const raw = search.get("code");
  const base = { locale, error: null as MessageKey | null, value: "", lookup: emptyLookup };
  if (raw !== null) {
    const code = normalizeVerifyCode(raw);
    if (code && /^[A-Za-z0-9_-]{1,64}$/.test(code)) return redirect(`/verify/${code}`);
    return data(
      {
        ...base,
        error: code ? ("verify.form.invalid" as const) : ("verify.form.required" as const),
        value: raw.slice(0, 200),
      },
      { status: 400 },
    );
  }
  if (search.has("number") || search.has("creditCode")) {
    const { lookup, status } = await lookupByNumber(request, search);
    return data({ ...base, lookup }, { status, headers: { "Cache-Control": "no-store" } });
  }
  return base;
}

async function lookupByNumber(
  request: Request,
  search: URLSearchParams,
): Promise<{ lookup: Lookup; status: number }> {
  const number = normalizeCertificateNumber(search.get("number") ?? "").slice(0, 100);
  const rawCode = (search.get("creditCode") ?? "").slice(0, 40);
  const errors: Lookup["errors"] = {};
  if (!number) errors.number = msg("verify.lookup.numberRequired");
  else if (number.length > NUMBER_LOOKUP_MAX) errors.number = msg("verify.lookup.numberInvalid");
  const checked = validateCreditCode(rawCode);
  if (!checked.ok) errors.creditCode = creditCodeMessage(checked.error);
  const lookup: Lookup = { ...emptyLookup, number, creditCode: rawCode, errors };
  if (errors.number || errors.creditCode) return { lookup, status: 400 };
  const limit = await hitVerifyRateLimit(clientIp(request));
  if (limit.limited) {
    const minutes = Math.max(1, Math.ceil(limit.retryAfterSeconds / 60));
    return { lookup: { ...lookup, rateLimitedMinutes: minutes }, status: 429 };
  }
  const result = await findCertificateByNumber({ number, creditCode: rawCode });
  return result
    ? { lookup: { ...lookup, result }, status: 200 }
    : { lookup: { ...lookup, notFound: true }, status: 404 };
}

export default function VerifyIndex() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const errorText = useErrorText();
  const l = d.lookup;
  const numberError = errorText(l.errors.number);
  const codeError = errorText(l.errors.creditCode);
  return (
    <AppShell brandHref="/" title={t("verify.title")} nav={[]} user={null}>
      <section className="mx-auto max-w-2xl space-y-6 py-10">
        <h1 className="page-title">{t("verify.form.title")}</h1>
        <p className="text-slate-600">{t("verify.form.intro")}</p>
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

        <Form method="get" className="card space-y-3" data-testid="verify-lookup-form">
          <h2 className="text-lg font-medium">{t("verify.lookup.title")}</h2>
          <p className="text-sm text-slate-600">{t("verify.lookup.intro")}</p>
          <LookupField id="lookup-number" name="number" label={t("certificate.number")} value={l.number} maxLength={100} error={numberError} />
          <LookupField
            id="lookup-credit-code"
            name="creditCode"
            label={t("enterprise.creditCode")}
            value={l.creditCode}
            maxLength={40}
            error={codeError}
          />
          <button type="submit" className="btn-primary">
            {t("verify.lookup.submit")}
          </button>
        </Form>

        {l.result ? <Verified certificate={l.result} /> : null}
        {l.notFound ? (
          <div className="card text-center" data-testid="verify-not-found" data-state="NOT_FOUND">
            <p className="font-medium">{t("verify.notFound.title")}</p>
            <p className="text-sm text-slate-600">{t("verify.lookup.notFound")}</p>
          </div>
        ) : null}
        {l.rateLimitedMinutes ? (
          <div className="card text-center" data-testid="verify-rate-limited" role="alert">
            {t("verify.rateLimited", { minutes: l.rateLimitedMinutes })}
          </div>
        ) : null}
      </section>
    </AppShell>
  );
}

/** One field of the number lookup: label, monospace input, translated error announced to screen readers. */
function LookupField(props: { id: string; name: string; label: string; value: string; maxLength: number; error: string | undefined }) {
  const { id, error } = props;
  return (
    <div>
      <label htmlFor={id} className="label">
        {props.label}
      </label>
      <input
        id={id}
        name={props.name}
        defaultValue={props.value}
        className="input font-mono"
        autoComplete="off"
        spellCheck={false}
        maxLength={props.maxLength}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error ? (
        <p id={`${id}-error`} className="field-error" role="alert" data-field-error>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: translate(d?.locale ?? "zh-CN", "verify.form.title") },
  { name: "robots", content: "noindex" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
