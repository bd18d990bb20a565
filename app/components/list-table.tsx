/**
 * The list pages' table shell: a scrolling card holding a `table` with a header row (and an optional
 * screen-reader-only "actions" column). `ListTable` shows an empty-state card instead when there are no rows.
 */
import type { ReactNode } from "react";
import { useT } from "~/i18n/react";

export function TableCard({
  testId,
  headers,
  actions = false,
  children,
}: {
  testId: string;
  /** Column headers; `null` leaves a column out (e.g. one shown to some roles only). */
  headers: (ReactNode | null)[];
  /** Append a last column headed "actions" for screen readers only. */
  actions?: boolean;
  children: ReactNode;
}) {
  const t = useT();
  return (
    <div className="card overflow-x-auto p-0">
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            {headers.map((h, i) =>
              h === null ? null : (
                <th key={i} scope="col">
                  {h}
                </th>
              ),
            )}
            {actions ? (
              <th scope="col">
                <span className="sr-only">{t("common.actions")}</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function ListTable(props: {
  testId: string;
  headers: (ReactNode | null)[];
  actions?: boolean;
  /** Text of the empty-state card shown instead of the table when `count` is 0. */
  empty: string;
  count: number;
  children: ReactNode;
}) {
  const { empty, count, ...table } = props;
  if (count === 0) return <p className="card text-sm text-slate-500">{empty}</p>;
  return <TableCard {...table} />;
}
