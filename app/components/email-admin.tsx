import { NavLink } from "@remix-run/react";
import type { MessageKey } from "~/i18n";
import { useT } from "~/i18n/react";

/** Tabs of the tenant admin's email pages: outbox, template previews, captured mail (capture only). */
export function EmailAdminTabs({ slug, capture }: { slug: string; capture: boolean }) {
  const t = useT();
  const tabs: Array<{ to: string; label: MessageKey; end: boolean }> = [
    { to: `/t/${slug}/admin/outbox`, label: "email.tabs.outbox", end: true },
    { to: `/t/${slug}/admin/emails`, label: "email.tabs.templates", end: true },
  ];
  if (capture) tabs.push({ to: `/t/${slug}/admin/outbox/captured`, label: "email.tabs.captured", end: false });
  return (
    <nav className="flex flex-wrap gap-2 border-b border-slate-200 pb-2" aria-label={t("email.outbox.title")}>
      {tabs.map((tab) => (
        <NavLink
          key={tab.to}
          to={tab.to}
          end={tab.end}
          className={({ isActive }) =>
            `rounded px-3 py-1 text-sm ${isActive ? "bg-brand-600 text-white" : "text-slate-700 hover:bg-slate-100"}`
          }
        >
          {t(tab.label)}
        </NavLink>
      ))}
    </nav>
  );
}

const STATUS_BADGE: Record<string, string> = {
  pending: "bg-slate-100 text-slate-700",
  sending: "bg-blue-100 text-blue-800",
  retry: "bg-amber-100 text-amber-800",
  sent: "bg-green-100 text-green-800",
  failed: "bg-red-100 text-red-700",
  cancelled: "bg-slate-200 text-slate-500",
};

export function OutboxStatusBadge({ status }: { status: string }) {
  const t = useT();
  const key = `email.outbox.status.${status}` as MessageKey;
  return (
    <span className={`badge ${STATUS_BADGE[status] ?? ""}`} data-status={status}>
      {t(key)}
    </span>
  );
}
