/**
 * The rectification items (整改项) of an application: what was asked, by when, the enterprise's
 * answer with its files, and the reviewer's decision. The enterprise answers each item (note +
 * evidence upload); an assigned reviewer accepts, re-opens or leaves items open. Each item posts to
 * /applications/<id>/rectification on its own fetcher, so an error shows next to its item.
 */
import { useFetcher } from "@remix-run/react";
import type { RectificationItemView, RectificationPanel as Panel } from "~/data/grading/rectification-views.server";
import { useErrorText, useLocale, useT } from "~/i18n/react";
import { textOf } from "~/lib/assessment/answers";
import { formatDate } from "~/lib/datetime";
import { formatBytes } from "~/lib/evidence";
import type { RectificationActionResult } from "~/routes/t.$slug.applications.$id_.rectification";

const STATUS_TONE: Record<RectificationItemView["status"], string> = {
  open: "bg-amber-50 text-amber-800",
  answered: "bg-sky-50 text-sky-800",
  accepted: "bg-emerald-50 text-emerald-800",
  reopened: "bg-red-50 text-red-700",
};

function ItemCard({
  item,
  panel,
  base,
}: {
  item: RectificationItemView;
  panel: Pick<Panel, "canAnswer" | "canDecide" | "reviewing">;
  base: string;
}) {
  const t = useT();
  const locale = useLocale();
  const errorText = useErrorText();
  const fetcher = useFetcher<RectificationActionResult>();
  const busy = fetcher.state !== "idle";
  const error = fetcher.data && !fetcher.data.ok ? errorText(fetcher.data.error) : undefined;
  const action = `${base}/rectification`;
  const answerable = panel.canAnswer && item.status !== "accepted" && item.leftOpenReason === null;
  const decidable = panel.canDecide && panel.reviewing && item.status === "answered";
  const leavable = panel.canDecide && item.status !== "accepted" && item.leftOpenReason === null;
  return (
    <li className="space-y-2 rounded-md border border-slate-200 p-3" data-testid="rectification-item" data-item={item.itemId} data-status={item.status}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-mono text-xs text-slate-500">{item.itemId}</span>
        <span className="text-sm font-medium">{textOf(item.title, locale)}</span>
        <span className={`badge ${STATUS_TONE[item.status]}`}>{t(`rect.status.${item.status}`)}</span>
        <span className={`text-xs ${item.overdue && item.status !== "accepted" ? "text-red-700" : "text-slate-500"}`}>
          {t("rect.deadline", { date: formatDate(item.deadline, locale) })}
        </span>
      </div>
      <p className="whitespace-pre-wrap text-sm text-slate-700">
        <span className="text-xs text-slate-500">{t("rect.requestNote")}: </span>
        {item.requestNote}
      </p>
      {item.answerNote ? (
        <p className="whitespace-pre-wrap text-sm" data-testid="rectification-answer">
          <span className="text-xs text-slate-500">{t("rect.answerNote")}: </span>
          {item.answerNote}
        </p>
      ) : null}
      {item.files.length > 0 ? (
        <ul className="text-sm">
          {item.files.map((f) => (
            <li key={f.fileId}>
              <a className="text-brand-700 hover:underline" href={`${base}/rectification/${f.fileId}`}>
                {f.name}
              </a>{" "}
              <span className="text-xs text-slate-500">{formatBytes(f.size)}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {item.leftOpenReason ? (
        <p className="text-sm text-red-700">{t("rect.leftOpen", { reason: item.leftOpenReason })}</p>
      ) : null}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {answerable ? (
        <fetcher.Form method="post" action={action} encType="multipart/form-data" className="space-y-2">
          <input type="hidden" name="intent" value="answer" />
          <input type="hidden" name="itemId" value={item.itemId} />
          <input type="hidden" name="version" value={item.version} />
          <label className="label" htmlFor={`rect-note-${item.itemId}`}>
            {t("rect.answerNote")}
          </label>
          <textarea id={`rect-note-${item.itemId}`} name="note" rows={3} className="input" defaultValue={item.answerNote ?? ""} required />
          <label className="label" htmlFor={`rect-file-${item.itemId}`}>
            {t("rect.file")}
          </label>
          <input id={`rect-file-${item.itemId}`} type="file" name="files" multiple className="text-sm" />
          <button type="submit" className="btn-primary" disabled={busy}>
            {t("rect.answer")}
          </button>
        </fetcher.Form>
      ) : null}
      {decidable ? (
        <div className="flex flex-wrap items-end gap-2">
          <fetcher.Form method="post" action={action}>
            <input type="hidden" name="intent" value="accept" />
            <input type="hidden" name="itemId" value={item.itemId} />
            <input type="hidden" name="version" value={item.version} />
            <button type="submit" className="btn-primary" disabled={busy}>
              {t("rect.accept")}
            </button>
          </fetcher.Form>
          <fetcher.Form method="post" action={action} className="flex items-end gap-2">
            <input type="hidden" name="intent" value="reopen" />
            <input type="hidden" name="itemId" value={item.itemId} />
            <input type="hidden" name="version" value={item.version} />
            <input name="note" className="input" aria-label={t("rect.reviewNote")} placeholder={t("rect.reviewNote")} required />
            <button type="submit" className="btn-secondary" disabled={busy}>
              {t("rect.reopen")}
            </button>
          </fetcher.Form>
        </div>
      ) : null}
      {leavable ? (
        <fetcher.Form method="post" action={action} className="flex items-end gap-2">
          <input type="hidden" name="intent" value="leaveOpen" />
          <input type="hidden" name="itemId" value={item.itemId} />
          <input type="hidden" name="version" value={item.version} />
          <input name="note" className="input" aria-label={t("rect.leaveOpenReason")} placeholder={t("rect.leaveOpenReason")} required />
          <button type="submit" className="btn-secondary" disabled={busy}>
            {t("rect.leaveOpen")}
          </button>
        </fetcher.Form>
      ) : null}
    </li>
  );
}

export function RectificationPanel({ panel, base }: { panel: Panel; base: string }) {
  const t = useT();
  if (panel.items.length === 0) return null;
  return (
    <div className="card space-y-2" data-testid="rectification-items">
      <h2 className="text-lg font-medium">{t("rect.title")}</h2>
      <ul className="space-y-2">
        {panel.items.map((item) => (
          <ItemCard key={item.itemId} item={item} panel={panel} base={base} />
        ))}
      </ul>
    </div>
  );
}
