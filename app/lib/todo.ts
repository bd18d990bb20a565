/**
 * A home page's to-do list (issue 17): what is waiting for this person, with counts and deadlines.
 * Client-safe shapes; the items are built on the server by the sources in app/data/todo/.
 */
import type { MessageKey, MessageParams } from "~/i18n";

/** One record behind an item (an application, a credit record, a review), linked. */
export type TodoEntry = {
  label: string;
  href: string;
  /** ISO instant of the entry's deadline, if it has one. */
  deadline: string | null;
  overdue: boolean;
  /** Words the person wrote (a return reason, a refusal): shown as a quote. */
  note?: string | null;
};

export type TodoItem = {
  /** Stable key ("enterprise.returned"); also the data-todo attribute for tests. */
  key: string;
  title: MessageKey;
  params?: MessageParams;
  /** How many records wait; 0 items are not shown. A blocking notice has count 1. */
  count: number;
  /** The list page this item summarises (filtered the same way). */
  href: string;
  /** Earliest deadline among the records (ISO), and what it is called. */
  deadline: string | null;
  deadlineLabel?: MessageKey;
  overdue: boolean;
  /** action: the person must act; warning: something bars them; info: worth knowing. */
  tone: "action" | "warning" | "info";
  /** At most a few records, the most urgent first. */
  entries: TodoEntry[];
};

export const TODO_ENTRIES_SHOWN = 5;

/** Earliest ISO instant of a list (null when none). */
export function earliest(values: ReadonlyArray<string | null | undefined>): string | null {
  let best: string | null = null;
  for (const v of values)
    if (v && (best === null || new Date(v).getTime() < new Date(best).getTime())) best = v;
  return best;
}

/** Most urgent first: overdue, then blocking warnings, then by deadline (none last). */
export function sortTodos(items: TodoItem[]): TodoItem[] {
  const rank = (i: TodoItem) =>
    i.overdue ? 0 : i.tone === "warning" ? 1 : i.tone === "action" ? 2 : 3;
  const at = (i: TodoItem) =>
    i.deadline ? new Date(i.deadline).getTime() : Number.POSITIVE_INFINITY;
  return [...items].sort(
    (a, b) => rank(a) - rank(b) || at(a) - at(b) || a.key.localeCompare(b.key),
  );
}
