/** The reviewer's assignments: running reviews first, with their deadlines. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { DeadlineText, LevelName, StateBadge } from "~/components/workflow-ui";
import { listReviewAssignments } from "~/data/grading-views.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "review:assessment:assigned",
  );
  const items = await listReviewAssignments({ tenantId: tenant._id, reviewerId: member.user._id });
  return { slug: tenant.slug, locale: await getLocale(request), items };
}

export default function ReviewsIndex() {
  const { slug, items } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <section className="space-y-4">
      <h1 className="page-title">{t("workflow.reviews.title")}</h1>
      {items.length === 0 ? (
        <p className="card text-sm text-slate-500">{t("workflow.reviews.empty")}</p>
      ) : (
        <div className="card overflow-x-auto p-0">
          <table className="table" data-testid="review-assignments">
            <thead>
              <tr>
                <th scope="col">{t("workflow.list.enterprise")}</th>
                <th scope="col">{t("workflow.list.cycle")}</th>
                <th scope="col">{t("workflow.app.appliedLevel")}</th>
                <th scope="col">{t("common.status")}</th>
                <th scope="col">{t("workflow.app.deadline.reviewBy")}</th>
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
                    {a.deadlines.reviewBy ? (
                      <DeadlineText
                        at={a.deadlines.reviewBy}
                        overdue={a.overdue.reviewBy === true}
                      />
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>
                    <Link
                      to={`/t/${slug}/reviews/${a.id}`}
                      className="text-brand-700 hover:underline"
                    >
                      {t("workflow.app.openReview")}
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
  { title: d ? translate(d.locale, "workflow.reviews.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
