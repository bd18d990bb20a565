/**
 * GET /verify/<code> — public certificate verification (the QR code on every certificate points
 * here). States VALID / EXPIRED / SUSPENDED / REVOKED in words and colour, never just "invalid";
 * an unknown code is a clear "no such certificate" page with status 404. Rate limited per IP.
 */
import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { clientIp } from "~/auth.server";
import { AppShell } from "~/components/app-shell";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import {
  hitVerifyRateLimit,
  verifyCertificate,
  type PublicCertificate,
} from "~/data/certificates.server";
import { Verified } from "~/components/verification-result";
import { translate, type MessageKey } from "~/i18n";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";

type LoaderData =
  | { kind: "found"; locale: "zh-CN" | "en"; certificate: PublicCertificate }
  | { kind: "notFound"; locale: "zh-CN" | "en"; code: string }
  | { kind: "rateLimited"; locale: "zh-CN" | "en"; minutes: number };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = await getLocale(request);
  const limit = await hitVerifyRateLimit(clientIp(request));
  if (limit.limited) {
    const body: LoaderData = {
      kind: "rateLimited",
      locale,
      minutes: Math.max(1, Math.ceil(limit.retryAfterSeconds / 60)),
    };
    return data(body, {
      status: 429,
      headers: { "Retry-After": String(limit.retryAfterSeconds), "Cache-Control": "no-store" },
    });
  }
  const code = params.code ?? "";
  const certificate = await verifyCertificate({ code });
  if (!certificate) {
    const body: LoaderData = { kind: "notFound", locale, code: code.slice(0, 64) };
    return data(body, { status: 404, headers: { "Cache-Control": "no-store" } });
  }
  const body: LoaderData = { kind: "found", locale, certificate };
  return data(body, { headers: { "Cache-Control": "no-store" } });
}

export default function VerifyCertificatePage() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <AppShell brandHref="/" title={t("verify.title")} nav={[]} user={null}>
      <section className="mx-auto max-w-2xl space-y-6 py-6">
        {d.kind === "found" ? (
          <Verified certificate={d.certificate} />
        ) : d.kind === "notFound" ? (
          <div
            className="card space-y-3 text-center"
            data-testid="verify-not-found"
            data-state="NOT_FOUND"
          >
            <h1 className="text-2xl font-semibold text-slate-900">{t("verify.notFound.title")}</h1>
            <p className="text-slate-600">{t("verify.notFound.body")}</p>
            {d.code ? <p className="break-all font-mono text-xs text-slate-500">{d.code}</p> : null}
          </div>
        ) : (
          <div
            className="card space-y-3 text-center"
            data-testid="verify-rate-limited"
            role="alert"
          >
            <h1 className="text-2xl font-semibold text-slate-900">
              {t("verify.rateLimitedTitle")}
            </h1>
            <p className="text-slate-600">{t("verify.rateLimited", { minutes: d.minutes })}</p>
          </div>
        )}
        <p className="text-center text-sm">
          <Link to="/verify" className="text-brand-700 hover:underline">
            {t("verify.another")}
          </Link>
        </p>
      </section>
    </AppShell>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => {
  const locale = d?.locale ?? "zh-CN";
  const key: MessageKey =
    d?.kind === "found"
      ? `verify.state.${d.certificate.state}`
      : d?.kind === "notFound"
        ? "verify.notFound.title"
        : "verify.title";
  return [
    { title: `${translate(locale, key)} · ${translate(locale, "verify.title")}` },
    { name: "robots", content: "noindex" },
  ];
};

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
