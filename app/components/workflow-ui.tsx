/** Shared pieces of the grading workspaces: state badges, the history timeline, refusal reasons. */
import { isMessageKey, type MessageKey } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { formatDate, formatDateTime } from "~/lib/datetime";
import { textOf } from "~/lib/assessment/answers";
import type { Translator } from "~/i18n";

function dynamic(t: Translator, key: string, fallback: string): string {
  return isMessageKey(key) ? t(key) : fallback;
}

export function stateLabel(t: Translator, state: string): string {
  return dynamic(t, `workflow.state.${state}`, state);
}

export function eventLabel(t: Translator, event: string): string {
  return dynamic(t, `workflow.event.${event}`, event);
}

export function actionLabel(t: Translator, event: string): string {
  return dynamic(t, `workflow.action.${event}`, event);
}

export function roleLabel(t: Translator, role: string): string {
  if (role === "system" || role === "public")
    return t(role === "system" ? "workflow.actor.system" : "workflow.actor.public");
  return dynamic(t, `role.${role}`, role);
}

export function blockLabel(t: Translator, reason: string): string {
  return dynamic(t, `workflow.block.${reason}`, reason);
}

const STATE_TONES: Array<[string, string]> = [
  ["certified", "bg-emerald-50 text-emerald-800"],
  ["rejected", "bg-red-50 text-red-700"],
  ["stopped", "bg-red-50 text-red-700"],
  ["withdrawn", "bg-slate-100 text-slate-600"],
  ["draft", "bg-amber-50 text-amber-800"],
  ["publicNotice", "bg-sky-50 text-sky-800"],
];

export function StateBadge({ state, returned = false }: { state: string; returned?: boolean }) {
  const t = useT();
  const key = returned && state === "draft" ? "draft.returned" : state;
  const tone =
    STATE_TONES.find(([prefix]) => key.startsWith(prefix))?.[1] ?? "bg-brand-50 text-brand-800";
  return (
    <span className={`badge ${tone}`} data-state={key}>
      {stateLabel(t, key)}
    </span>
  );
}

export type LocalizedName = { zh: string; en?: string } | null;

export function LevelName({ name, fallback = "—" }: { name: LocalizedName; fallback?: string }) {
  const locale = useLocale();
  return <>{name ? textOf(name, locale) : fallback}</>;
}

export function DeadlineText({ at, overdue }: { at: string; overdue: boolean }) {
  const t = useT();
  const locale = useLocale();
  return (
    <span
      className={overdue ? "font-medium text-red-700" : undefined}
      data-overdue={overdue ? "true" : undefined}
    >
      {formatDate(at, locale)}
      {overdue ? (
        <span className="badge ml-2 bg-red-50 text-red-700">{t("workflow.app.overdue")}</span>
      ) : null}
    </span>
  );
}

export type TimelineEntry = {
  at: string;
  actorName: string;
  actorRole: string;
  event: string;
  from: string;
  to: string;
  reason: string | null;
};

/** Every step with who, when, what, from → to and why (DOMAIN.md §5). Newest first. */
export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  const t = useT();
  const locale = useLocale();
  if (entries.length === 0)
    return <p className="text-sm text-slate-500">{t("workflow.app.timelineEmpty")}</p>;
  return (
    <ol className="space-y-3" data-testid="timeline">
      {[...entries].reverse().map((e, i) => (
        <li key={`${e.at}-${i}`} className="border-l-2 border-brand-200 pl-3" data-event={e.event}>
          <div className="flex flex-wrap items-baseline gap-x-2 text-sm">
            <span className="font-medium text-slate-900">{eventLabel(t, e.event)}</span>
            <span className="text-xs text-slate-500">{formatDateTime(e.at, locale)}</span>
          </div>
          <div className="text-xs text-slate-600">
            {[e.actorName, roleLabel(t, e.actorRole)].filter(Boolean).join(" · ")}
            {e.from
              ? ` · ${t("workflow.app.transition", { from: stateLabel(t, e.from), to: stateLabel(t, e.to) })}`
              : ""}
          </div>
          {e.reason ? (
            <p
              className="mt-1 whitespace-pre-wrap break-words text-sm text-slate-700"
              data-testid="timeline-reason"
            >
              {t("workflow.app.reason", { reason: e.reason })}
            </p>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

export function BlockedReasons({ reasons, title }: { reasons: string[]; title?: MessageKey }) {
  const t = useT();
  if (reasons.length === 0) return null;
  return (
    <div
      className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
      data-testid="blocked-reasons"
      role="status"
    >
      <span className="font-medium">{t(title ?? "workflow.app.blocked")}</span>
      <ul className="ml-5 list-disc">
        {reasons.map((r) => (
          <li key={r} data-reason={r}>
            {blockLabel(t, r)}
          </li>
        ))}
      </ul>
    </div>
  );
}
