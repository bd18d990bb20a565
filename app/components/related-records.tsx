/** An enterprise's grading applications and certificates, linked (issue 17: links between related records). */
import { Link } from "@remix-run/react";
import { useT } from "~/i18n/react";
import type { CertificateStatus } from "~/lib/certificate";
import { StateBadge } from "./workflow-ui";

export type RelatedRecordsData = {
  applications: Array<{ id: string; cycle: string; state: string }> | null;
  certificates: Array<{ id: string; number: string; status: CertificateStatus }> | null;
};

export function RelatedRecords({ slug, related }: { slug: string; related: RelatedRecordsData }) {
  const t = useT();
  if (!related.applications && !related.certificates) return null;
  return (
    <div className="card grid gap-4 sm:grid-cols-2" data-testid="enterprise-related">
      {related.applications ? (
        <div>
          <h2 className="mb-2 text-lg font-medium">{t("links.application")}</h2>
          {related.applications.length === 0 ? (
            <p className="text-sm text-slate-500">—</p>
          ) : (
            <ul className="space-y-1 text-sm">
              {related.applications.map((a) => (
                <li key={a.id} className="flex items-center gap-2">
                  <Link to={`/t/${slug}/applications/${a.id}`} className="text-brand-700 hover:underline">
                    {a.cycle}
                  </Link>
                  <StateBadge state={a.state} />
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
      {related.certificates ? (
        <div>
          <h2 className="mb-2 text-lg font-medium">{t("nav.certificates")}</h2>
          {related.certificates.length === 0 ? (
            <p className="text-sm text-slate-500">—</p>
          ) : (
            <ul className="space-y-1 text-sm">
              {related.certificates.map((c) => (
                <li key={c.id}>
                  <Link to={`/t/${slug}/certificates/${c.id}`} className="font-mono text-brand-700 hover:underline">
                    {c.number}
                  </Link>{" "}
                  <span className="text-xs text-slate-500">{t(`certificate.status.${c.status}`)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}
