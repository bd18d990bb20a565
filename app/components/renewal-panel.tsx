/**
 * The renewal (复评/延期) card of the application page: the certificate renewed, the authority's
 * decision (and its reason), and for the regulator each eligibility criterion ✓/✗ with its facts
 * and a link to check it. The two actions themselves are in the workflow action panel.
 */
import { Link } from "@remix-run/react";
import type { RenewalCriterionView, RenewalView } from "~/data/certificates/renewal-view.server";
import { formatDate } from "~/lib/datetime";
import { textOf } from "~/lib/assessment/answers";
import { useLocale, useT } from "~/i18n/react";
import { translateLoose } from "~/i18n";

function linkFor(
  link: RenewalCriterionView["link"],
  base: string,
  view: RenewalView,
  ids: { applicationId: string; creditCode: string },
): string | null {
  switch (link) {
    case "certificate":
      return `${base}/certificates/${view.certificate.id}`;
    case "yearlyReports":
      return `${base}/yearly-reports`;
    case "credit":
      return `${base}/credit?q=${encodeURIComponent(ids.creditCode)}`;
    case "selfAssessment":
      return `${base}/assessments/${ids.applicationId}`;
    default:
      return null;
  }
}

const LINK_LABEL = {
  certificate: "renewal.link.certificate",
  yearlyReports: "renewal.link.yearlyReports",
  credit: "renewal.link.credit",
  selfAssessment: "workflow.app.openSelfAssessment",
} as const;

export function RenewalPanel({
  view,
  base,
  applicationId,
  creditCode,
}: {
  view: RenewalView;
  base: string;
  applicationId: string;
  creditCode: string;
}) {
  const t = useT();
  const locale = useLocale();
  const date = (iso: string | number | undefined) => (typeof iso === "string" ? formatDate(iso, locale) : String(iso ?? ""));
  const params = (p: Record<string, string | number>) =>
    Object.fromEntries(
      Object.entries(p).map(([k, v]) => [
        k,
        k === "opensAt" || k === "validUntil"
          ? date(v)
          : k === "status"
            ? translateLoose(locale, `certificate.status.${String(v)}`)
            : v,
      ]),
    );
  return (
    <div className="card space-y-3" data-testid="renewal-panel" data-decision={view.decision}>
      <h2 className="text-lg font-medium">{t("renewal.panel.title")}</h2>
      <p className="text-sm text-slate-600">
        {t("renewal.panel.intro", {
          number: view.certificate.number,
          level: textOf(view.certificate.levelName, locale),
          validUntil: date(view.certificate.validUntil),
        })}
      </p>
      {view.decision !== "draft" ? (
        <div role="status" className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm" data-testid="renewal-status">
          <p>{t(`renewal.status.${view.decision}`)}</p>
          {view.decision === "fullPath" && view.fullPathReason ? (
            <p className="mt-1 whitespace-pre-wrap font-medium">
              {t("renewal.status.fullPathReason", { reason: view.fullPathReason })}
            </p>
          ) : null}
        </div>
      ) : null}
      {view.criteria ? (
        <div>
          <h3 className="font-medium">{t("renewal.panel.criteria")}</h3>
          <ul className="mt-2 space-y-2 text-sm" data-testid="renewal-criteria">
            {view.criteria.map((c) => {
              const href = linkFor(c.link, base, view, { applicationId, creditCode });
              return (
                <li key={c.key} data-criterion={c.key} data-met={c.met ? "yes" : "no"} className="flex flex-wrap items-baseline gap-2">
                  <span aria-hidden="true" className={c.met ? "text-green-700" : "text-red-700"}>
                    {c.met ? "✓" : "✗"}
                  </span>
                  <span className="sr-only">{t(c.met ? "renewal.panel.met" : "renewal.panel.notMet")}</span>
                  <span>{translateLoose(locale, `renewal.criterion.${c.key}`, params(c.params))}</span>
                  {c.detail ? (
                    <span className="text-red-700">{translateLoose(locale, c.detail.key, c.detail.params)}</span>
                  ) : null}
                  {href && c.link ? (
                    <Link to={href} className="text-brand-700 hover:underline">
                      {t(LINK_LABEL[c.link])}
                    </Link>
                  ) : null}
                </li>
              );
            })}
          </ul>
          <p className={`mt-2 text-sm font-medium ${view.eligible ? "text-green-800" : "text-red-800"}`} data-testid="renewal-verdict">
            {t(view.eligible ? "renewal.eligible" : "renewal.ineligible")}
          </p>
        </div>
      ) : null}
    </div>
  );
}
