/** The reviewer's assignments: running reviews first, with their deadlines. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ApplicationQueue } from "~/components/application-queue";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { DeadlineText } from "~/components/workflow-ui";
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
      <ApplicationQueue
        testId="review-assignments"
        items={items}
        empty={t("workflow.reviews.empty")}
        extra={{
          header: t("workflow.app.deadline.reviewBy"),
          cell: (a) =>
            a.deadlines.reviewBy ? <DeadlineText at={a.deadlines.reviewBy} overdue={a.overdue.reviewBy === true} /> : "—",
        }}
        open={(a) => ({ to: `/t/${slug}/reviews/${a.id}`, label: t("workflow.app.openReview") })}
      />
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "workflow.reviews.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
