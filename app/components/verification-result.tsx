/**
 * What the public verification shows for a found certificate: the state in words and colour
 * (never just "invalid"), the date, the revocation grounds and facts, the minimum public data, and
 * the PDF link only for a valid certificate reached by its code (QR or typed).
 */
import type { PublicCertificate } from "~/data/certificates.server";
import { RevocationGroundsList } from "~/components/revoke-certificate";
import { useLocale, useT } from "~/i18n/react";
import { STATUS_STYLE, type VerificationState } from "~/lib/certificate";
import { formatDate } from "~/lib/datetime";

const PANEL: Record<VerificationState, keyof typeof STATUS_STYLE> = {
  VALID: "active",
  EXPIRED: "expired",
  SUSPENDED: "suspended",
  REVOKED: "revoked",
};

export function Verified({ certificate: c }: { certificate: PublicCertificate }) {
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
          {c.state === "VALID" && c.code ? (
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

