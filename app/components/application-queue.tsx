/**
 * A queue of grading applications (the review body's panel queue, the reviewer's assignments):
 * enterprise, cycle, applied level and state, an optional extra column, and a link to open one.
 */
import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { ListTable } from "~/components/list-table";
import { LevelName, StateBadge, type LocalizedName } from "~/components/workflow-ui";
import { useT } from "~/i18n/react";

type QueueItem = {
  id: string;
  enterpriseName: string;
  cycle: string | number;
  appliedLevelName: LocalizedName;
  state: string;
  returned: boolean;
};

export function ApplicationQueue<T extends QueueItem>({
  testId,
  items,
  empty,
  extra,
  open,
}: {
  testId: string;
  items: T[];
  empty: string;
  extra?: { header: string; cell: (item: T) => ReactNode };
  open: (item: T) => { to: string; label: string };
}) {
  const t = useT();
  const headers = [t("workflow.list.enterprise"), t("workflow.list.cycle"), t("workflow.app.appliedLevel"), t("common.status")];
  return (
    <ListTable testId={testId} headers={extra ? [...headers, extra.header] : headers} actions empty={empty} count={items.length}>
      {items.map((a) => {
        const link = open(a);
        return (
          <tr key={a.id} data-application={a.id}>
            <td>{a.enterpriseName}</td>
            <td>{a.cycle}</td>
            <td>
              <LevelName name={a.appliedLevelName} />
            </td>
            <td>
              <StateBadge state={a.state} returned={a.returned} />
            </td>
            {extra ? <td>{extra.cell(a)}</td> : null}
            <td>
              <Link to={link.to} className="text-brand-700 hover:underline">
                {link.label}
              </Link>
            </td>
          </tr>
        );
      })}
    </ListTable>
  );
}
