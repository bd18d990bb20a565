/** A home's to-do list: one card per kind of waiting work, with its count, deadline and records. */
import { Link } from "@remix-run/react";
import { useLocale, useT } from "~/i18n/react";
import { formatDate } from "~/lib/datetime";
import type { TodoItem } from "~/lib/todo";

const TONE: Record<TodoItem["tone"], string> = {
  action: "border-brand-200",
  warning: "border-amber-300 bg-amber-50",
  info: "border-slate-200",
};

export function TodoList({ items, testId = "todo-list" }: { items: TodoItem[]; testId?: string }) {
  const t = useT();
  const locale = useLocale();
  if (items.length === 0)
    return (
      <p className="card text-slate-600" data-testid={`${testId}-empty`}>
        {t("todo.empty")}
      </p>
    );
  return (
    <ul className="grid gap-3 md:grid-cols-2" data-testid={testId}>
      {items.map((item) => {
        const headingId = `todo-${item.key.replace(/\W/g, "-")}`;
        return (
          <li
            key={item.key}
            className={`card ${TONE[item.tone]}`}
            data-todo={item.key}
            data-count={item.count}
            aria-labelledby={headingId}
          >
            <div className="flex items-start justify-between gap-3">
              <h3 id={headingId} className="font-medium text-slate-900">
                {t(item.title, item.params)}
              </h3>
              <span
                className="shrink-0 rounded-full bg-brand-700 px-2.5 py-0.5 text-sm font-semibold text-white"
                data-todo-count
              >
                {t("todo.count", { count: item.count })}
              </span>
            </div>
            {item.deadline ? (
              <p
                className={`mt-1 text-sm ${item.overdue ? "font-medium text-red-700" : "text-slate-700"}`}
                data-todo-deadline={item.deadline}
              >
                {t(item.deadlineLabel ?? "todo.deadline.default")}：
                {formatDate(item.deadline, locale)}
                {item.overdue ? ` · ${t("todo.overdue")}` : ""}
              </p>
            ) : null}
            {item.entries.length > 0 ? (
              <ul className="mt-2 space-y-1 text-sm">
                {item.entries.map((e) => (
                  <li key={e.href + e.label}>
                    <Link to={e.href} className="text-brand-700 underline-offset-2 hover:underline">
                      {e.label}
                    </Link>
                    {e.deadline ? (
                      <span className={e.overdue ? "ml-2 text-red-700" : "ml-2 text-slate-600"}>
                        {formatDate(e.deadline, locale)}
                        {e.overdue ? ` · ${t("todo.overdue")}` : ""}
                      </span>
                    ) : null}
                    {e.note ? (
                      <q className="mt-0.5 block text-slate-700" data-todo-note>
                        {t("todo.returnedReason")}
                        {e.note}
                      </q>
                    ) : null}
                  </li>
                ))}
              </ul>
            ) : null}
            <p className="mt-2 text-sm">
              <Link to={item.href} className="font-medium text-brand-700 hover:underline">
                {t("todo.open")} →
              </Link>
            </p>
          </li>
        );
      })}
    </ul>
  );
}
