/**
 * Grading applications. The authority sees its queues (to accept, returned, to assign, under
 * review, to approve, public notice, closed) with counts, filters and the running deadline,
 * overdue ones highlighted; an enterprise sees its own applications.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ListTable } from "~/components/list-table";
import { Pagination } from "~/components/pagination";
import { DeadlineText, LevelName, StateBadge } from "~/components/workflow-ui";
import {
  listApplicationQueues,
  listEnterpriseApplications,
  type ApplicationListItem,
} from "~/data/grading-views.server";
import { translate, type MessageKey } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { formatDate } from "~/lib/datetime";
import { INDUSTRY_KEYS, SIZE_CLASSES } from "~/lib/domain";
import { can } from "~/lib/permissions";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";
import { APPLICATION_QUEUES, isApplicationQueue } from "~/workflows/grading-input";
import { pageParam } from "~/lib/paging";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "accept:application:any",
    "read:assessment:any",
    "read:assessment:own",
  );
  const locale = await getLocale(request);
  const url = new URL(request.url);
  if (
    can(member.permissions, "accept:application:any") ||
    can(member.permissions, "read:assessment:any")
  ) {
    const queueParam = url.searchParams.get("queue");
    const queue = isApplicationQueue(queueParam) ? queueParam : "acceptance";
    const q = (url.searchParams.get("q") ?? "").slice(0, 100);
    const cycleParam = url.searchParams.get("cycle") ?? "";
    const cycle = /^20\d{2}$/.test(cycleParam) ? cycleParam : "";
    const page = pageParam(url.searchParams.get("page"));
    // Dashboard links (Step 8): one workflow state ("all" = every submitted one), overdue ones,
    // enterprises of a district / industry / size class.
    const stateParam = url.searchParams.get("state") ?? "";
    const knownStates: string[] = APPLICATION_QUEUES.flatMap((d) => [...d.states]);
    const states = stateParam === "all" ? knownStates : knownStates.includes(stateParam) ? [stateParam] : undefined;
    const overdueParam = url.searchParams.get("overdue");
    const overdue =
      overdueParam === "acceptance" || overdueParam === "review" || overdueParam === "any" ? overdueParam : undefined;
    const sizeParam = url.searchParams.get("size") ?? "";
    const industryParam = url.searchParams.get("industry") ?? "";
    const enterprise = {
      districtCode: (url.searchParams.get("district") ?? "").slice(0, 12),
      industry: (INDUSTRY_KEYS as readonly string[]).includes(industryParam) ? industryParam : "",
      sizeClass: (SIZE_CLASSES as readonly string[]).includes(sizeParam) ? sizeParam : "",
    };
    const list = await listApplicationQueues({
      tenantId: tenant._id,
      queue,
      q,
      cycle: cycle || undefined,
      page,
      states,
      overdue,
      enterprise,
      scope: member,
    });
    return {
      kind: "authority" as const,
      slug: tenant.slug,
      locale,
      narrowed: Boolean(states || overdue || enterprise.districtCode || enterprise.industry || enterprise.sizeClass),
      queue,
      q,
      cycle,
      list,
      canSeeDiagram:
        can(member.permissions, "accept:application:any") ||
        can(member.permissions, "manage:settings:any"),
    };
  }
  const items = member.enterpriseId
    ? await listEnterpriseApplications({ tenantId: tenant._id, enterpriseId: member.enterpriseId })
    : [];
  return { kind: "enterprise" as const, slug: tenant.slug, locale, items };
}

/** The deadline that matters in each state (the only one running, in practice). */
function runningDeadline(item: ApplicationListItem): { key: string; at: string } | null {
  for (const key of ["acceptBy", "rectifyBy", "reviewBy", "noticeEndsAt"] as const) {
    const at = item.deadlines[key];
    if (at) return { key, at };
  }
  return null;
}

export default function ApplicationsIndex() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  if (d.kind === "enterprise") {
    return (
      <section className="space-y-4">
        <h1 className="page-title">{t("workflow.list.mine")}</h1>
        <ApplicationTable slug={d.slug} items={d.items} showEnterprise={false} />
      </section>
    );
  }
  const base = `/t/${d.slug}/applications`;
  const hrefFor = (queue: string) => {
    const params = new URLSearchParams();
    params.set("queue", queue);
    if (d.q) params.set("q", d.q);
    if (d.cycle) params.set("cycle", d.cycle);
    return `${base}?${params.toString()}`;
  };
  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="page-title">{t("workflow.list.tenantTitle")}</h1>
        {d.canSeeDiagram ? (
          <Link
            to={`/t/${d.slug}/admin/workflow`}
            className="text-sm text-brand-700 hover:underline"
          >
            {t("workflow.app.diagram")}
          </Link>
        ) : null}
      </div>
      <nav aria-label={t("workflow.list.queues")}>
        <ul className="flex flex-wrap gap-2" data-testid="queues">
          {APPLICATION_QUEUES.map((q) => (
            <li key={q.key}>
              <Link
                to={hrefFor(q.key)}
                className={`inline-flex items-center gap-2 rounded-full border px-3 py-1 text-sm ${q.key === d.queue && !d.narrowed ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"}`}
                aria-current={q.key === d.queue && !d.narrowed ? "page" : undefined}
                data-queue={q.key}
              >
                {t(`workflow.queue.${q.key}` as MessageKey)}
                <span className="text-xs opacity-80" data-count>
                  {d.list.counts[q.key]}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <Form method="get" className="flex flex-wrap items-end gap-3">
        <input type="hidden" name="queue" value={d.queue} />
        <div>
          <label htmlFor="q" className="label">
            {t("common.search")}
          </label>
          <input
            id="q"
            name="q"
            defaultValue={d.q}
            className="input w-72"
            placeholder={t("workflow.list.search")}
          />
        </div>
        <div>
          <label htmlFor="cycle" className="label">
            {t("workflow.list.cycle")}
          </label>
          <input
            id="cycle"
            name="cycle"
            defaultValue={d.cycle}
            className="input w-28"
            inputMode="numeric"
            pattern="20[0-9]{2}"
            placeholder={t("workflow.list.allCycles")}
          />
        </div>
        <button type="submit" className="btn-secondary">
          {t("common.filter")}
        </button>
      </Form>
      <ApplicationTable slug={d.slug} items={d.list.items} showEnterprise />
      {d.list.total > d.list.pageSize ? (
        <Pagination page={d.list.page} pageSize={d.list.pageSize} total={d.list.total} />
      ) : null}
    </section>
  );
}

function ApplicationTable({
  slug,
  items,
  showEnterprise,
}: {
  slug: string;
  items: ApplicationListItem[];
  showEnterprise: boolean;
}) {
  const t = useT();
  const locale = useLocale();
  return (
    <ListTable
      testId="applications"
      headers={[
        showEnterprise ? t("workflow.list.enterprise") : null,
        t("workflow.list.cycle"),
        t("workflow.app.appliedLevel"),
        t("workflow.app.selfScore"),
        t("common.status"),
        t("workflow.app.submittedAt"),
        t("workflow.list.deadline"),
      ]}
      actions
      empty={t("workflow.list.empty")}
      count={items.length}
    >
      {items.map((a) => {
        const deadline = runningDeadline(a);
        return (
          <tr
            key={a.id}
            data-application={a.id}
            data-overdue={deadline && a.overdue[deadline.key] ? "true" : undefined}
          >
            {showEnterprise ? (
              <td>
                {a.enterpriseName}
                <div className="font-mono text-xs text-slate-500">{a.creditCode}</div>
              </td>
            ) : null}
            <td>{a.cycle}</td>
            <td>
              <LevelName name={a.appliedLevelName} />
            </td>
            <td>{a.score ?? "—"}</td>
            <td>
              <StateBadge state={a.state} returned={a.returned} />
            </td>
            <td>{a.submittedAt ? formatDate(a.submittedAt, locale) : "—"}</td>
            <td>
              {deadline ? (
                <>
                  <span className="block text-xs text-slate-500">
                    {t(`workflow.app.deadline.${deadline.key}` as MessageKey)}
                  </span>
                  <DeadlineText at={deadline.at} overdue={a.overdue[deadline.key] === true} />
                </>
              ) : (
                "—"
              )}
            </td>
            <td>
              <Link
                to={`/t/${slug}/applications/${a.id}`}
                className="text-brand-700 hover:underline"
              >
                {showEnterprise ? t("workflow.list.open") : t("workflow.list.view")}
              </Link>
            </td>
          </tr>
        );
      })}
    </ListTable>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "workflow.list.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
