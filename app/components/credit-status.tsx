import { translateLoose } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";

const BADGE: Record<string, string> = {
  draft: "bg-slate-100 text-slate-700",
  notified: "bg-amber-100 text-amber-800",
  defenceReceived: "bg-amber-100 text-amber-800",
  decided: "bg-orange-100 text-orange-800",
  dropped: "bg-slate-100 text-slate-600",
  published: "bg-red-100 text-red-800",
  removed: "bg-emerald-100 text-emerald-800",
};

/** Translates a catalog key built from stored data (a condition key, a status…). */
export function useLooseT(): (key: string, params?: Record<string, string | number>) => string {
  const locale = useLocale();
  return (key, params) => translateLoose(locale, key, params);
}

export function CreditStatusBadge({ status }: { status: string }) {
  const t = useT();
  const loose = useLooseT();
  return (
    <span className={`badge ${BADGE[status] ?? ""}`} data-testid="credit-status" data-status={status}>
      {BADGE[status] ? loose(`credit.status.${status}`) : t("errors.generic")}
    </span>
  );
}
