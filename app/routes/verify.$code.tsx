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
import { translate, type MessageKey } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { STATUS_STYLE, type VerificationState } from "~/lib/certificate";
import { formatDate } from "~/lib/datetime";
import { getLocale } from "~/locale.server";
import { RevocationGroundsList } from "~/components/revoke-certificate";

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

const PANEL: Record<VerificationState, keyof typeof STATUS_STYLE> = {
  VALID: "active",
  EXPIRED: "expired",
  SUSPENDED: "suspended",
  REVOKED: "revoked",
};

function Verified({ certificate: c }: { certificate: PublicCertificate }) {
  const t = useT();
  const locale = useLocale();
  const text = (v: { zh: string; en: string }) => (locale === "en" && v.en ? v.en : v.zh);
  const rows: Array<[string, string]> = [
    [t("certificate.number"), c.number],
    [t("enterprise.name"), c.enterprise.name],
    [t("enterprise.creditCode"), c.enterprise.creditCode],
    [t("certificate.level"), text(c.levelName)],
    [t("enterprise.industry"), t(`industry.${c.industry}`)],
    [t("certificate.issuer"), text(c.issuer)],
    [t("certificate.issuedAt"), formatDate(c.issuedAt, locale)],
    [t("certificate.validUntil"), formatDate(c.validUntil, locale)],
  ];
  const when = c.state === "REVOKED" ? c.revokedAt : c.state === "SUSPENDED" ? c.suspendedAt : null;
  return (
    <>
      <div
        className={`rounded-lg border-2 p-6 ${STATUS_STYLE[PANEL[c.state]].panel}`}
        data-testid="verify-state"
        data-state={c.state}
        role="status"
      >
        <p className="text-xs font-semibold tracking-widest">{c.state}</p>
        <h1 className="mt-1 text-3xl font-bold">{t(`verify.state.${c.state}`)}</h1>
        <p className="mt-2 text-sm">
          {t(`verify.explain.${c.state}`, { date: formatDate(when ?? c.validUntil, locale) })}
        </p>
        {c.state === "REVOKED" && c.revokedAt ? (
          <p className="mt-3 text-sm" data-testid="verify-revoked-on">
            <span className="font-medium">{t("revocation.public.revokedOn")}：</span>
            {formatDate(c.revokedAt, locale)}
          </p>
        ) : null}
        {c.grounds.length > 0 ? (
          <div className="text-sm">
            <RevocationGroundsList grounds={c.grounds} />
          </div>
        ) : null}
        {c.reason ? (
          <div className="mt-3 text-sm" data-testid="verify-reason">
            <span className="font-medium">
              {c.state === "REVOKED" ? `${t("revocation.public.facts")}：` : t("verify.reason")}
            </span>
            <span className="whitespace-pre-wrap break-words">{c.reason}</span>
          </div>
        ) : null}
      </div>
      <div className="card">
        <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-2">
          {rows.map(([label, value]) => (
            <div key={label}>
              <dt className="text-xs text-slate-500">{label}</dt>
              <dd className="text-sm font-medium">{value}</dd>
            </div>
          ))}
        </dl>
        <p className="mt-4 border-t border-slate-100 pt-4 text-sm" data-testid="verify-pdf">
          {c.state === "VALID" ? (
            <a href={`/verify/${c.code}.pdf`} className="text-brand-700 hover:underline">
              {t("verify.downloadPdf")}
            </a>
          ) : (
            <span className="text-slate-600" data-testid="verify-no-pdf">
              {t("revocation.public.noPdf")}
            </span>
          )}
        </p>
      </div>
      <p className="text-xs text-slate-500">{t("verify.disclaimer")}</p>
    </>
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
