/** The small "credit records" panel on an enterprise's page (regulators and the enterprise itself). */
import { Link } from "@remix-run/react";
import { CreditStatusBadge, useLooseT } from "~/components/credit-status";
import { useLocale, useT } from "~/i18n/react";
import { formatDate } from "~/lib/datetime";

export type CreditPanelItem = {
  id: string;
  subjectName: string;
  conditionKey: string;
  status: string;
  defenceDeadline: string | null;
  listedAt: string | null;
  endsAt: string | null;
};

export function CreditRecordsPanel({ slug, items }: { slug: string; items: CreditPanelItem[] }) {
  const t = useT();
  const loose = useLooseT();
  const locale = useLocale();
  return (
    <div className="card" data-testid="enterprise-credit-records">
      <h2 className="mb-3 text-lg font-medium">{t("credit.panel.title")}</h2>
      {items.length === 0 ? (
        <p className="text-sm text-slate-500">{t("credit.panel.empty")}</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {items.map((r) => (
            <li key={r.id} className="flex flex-wrap items-center gap-2 py-2 text-sm" data-credit-record={r.id}>
              <Link to={`/t/${slug}/credit/${r.id}`} className="font-medium text-brand-700 hover:underline">
                {loose(`credit.condition.${r.conditionKey}`)}
              </Link>
              <CreditStatusBadge status={r.status} />
              <span className="text-xs text-slate-500">
                {r.status === "notified" && r.defenceDeadline
                  ? t("credit.detail.defenceUntil", { date: formatDate(r.defenceDeadline, locale) })
                  : r.listedAt
                    ? `${formatDate(r.listedAt, locale)} – ${r.endsAt ? formatDate(r.endsAt, locale) : ""}`
                    : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
