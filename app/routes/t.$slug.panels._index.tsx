/** The review body admin's queue: applications assigned to their body, those awaiting a panel first. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ApplicationQueue } from "~/components/application-queue";
import { GeneralErrorBoundary } from "~/components/error-boundary";
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
      <ApplicationQueue
        testId="panel-queue"
        items={items}
        empty={t("panel.queue.empty")}
        open={(a) => ({ to: `/t/${slug}/panels/${a.id}`, label: t("workflow.app.openPanel") })}
      />
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "panel.queue.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
