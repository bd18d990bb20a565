/** The review body admin's queue: applications assigned to their body, those awaiting a panel first. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { LevelName, StateBadge } from "~/components/workflow-ui";
import { listReviewBodyApplications } from "~/data/grading-views.server";
import { withReviewBodyIds } from "~/data/review-bodies/panels.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "assign:panel:own");
  const { reviewBodyIds } = await withReviewBodyIds(member);
  const items = await listReviewBodyApplications({ tenantId: tenant._id, reviewBodyIds });
  return { slug: tenant.slug, locale: await getLocale(request), items };
}

export default function PanelsIndex() {
  const { slug, items } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <section className="space-y-4">
      <h1 className="page-title">{t("panel.queue.title")}</h1>
      {items.length === 0 ? (
        <p className="card text-sm text-slate-500">{t("panel.queue.empty")}</p>
      ) : (
        <div className="card overflow-x-auto p-0">
          <table className="table" data-testid="panel-queue">
            <thead>
              <tr>
                <th scope="col">{t("workflow.list.enterprise")}</th>
                <th scope="col">{t("workflow.list.cycle")}</th>
                <th scope="col">{t("workflow.app.appliedLevel")}</th>
                <th scope="col">{t("common.status")}</th>
                <th scope="col">
                  <span className="sr-only">{t("common.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} data-application={a.id}>
                  <td>{a.enterpriseName}</td>
                  <td>{a.cycle}</td>
                  <td>
                    <LevelName name={a.appliedLevelName} />
                  </td>
                  <td>
                    <StateBadge state={a.state} returned={a.returned} />
                  </td>
                  <td>
                    <Link to={`/t/${slug}/panels/${a.id}`} className="text-brand-700 hover:underline">
                      {t("workflow.app.openPanel")}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "panel.queue.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
