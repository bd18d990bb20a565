import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pagination } from "~/components/pagination";
import { listAuditActions, listAuditEvents } from "~/data/audit.server";
import { makeTranslator, translate } from "~/i18n";
import { auditActionLabel, auditDetailsText } from "~/lib/labels";
import { useLocale, useT } from "~/i18n/react";
import { formatDateTime } from "~/lib/datetime";
import { getLocale } from "~/locale.server";
import { requireTenantPermission, tenantName } from "~/tenant.server";
import { pageParam } from "~/lib/paging";

const PAGE_SIZE = 50;

const querySchema = z.object({
  action: z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z.]{0,63}$/)
    .optional()
    .or(z.literal("").transform(() => undefined)),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant } = await requireTenantPermission(request, params, "read:audit:any");
  const query = querySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) throw new Response("Bad Request", { status: 400 });
  const { action } = query.data;
  const page = pageParam(new URL(request.url).searchParams.get("page"));
  const [events, actions] = await Promise.all([
    listAuditEvents({ tenantId: tenant._id, action, page, pageSize: PAGE_SIZE }),
    listAuditActions({ tenantId: tenant._id }),
  ]);
  const locale = await getLocale(request);
  return {
    title: `${translate(locale, "admin.audit.title")} · ${tenantName(tenant, locale)}`,
    page,
    action: action ?? "",
    actions,
    total: events.total,
    hasMore: events.hasMore,
    items: events.items.map((e) => ({
      id: String(e._id),
      at: e.at.toISOString(),
      action: e.action,
      actor: e.actorEmail,
      target: e.targetLabel || e.targetId,
      targetType: e.targetType,
      ip: e.ip,
      details: auditDetailsText(makeTranslator(locale), e.details),
    })),
  };
}

export default function AuditLogPage() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const actionLabel = (action: string) => {
    return auditActionLabel(t, action);
  };
  return (
    <div className="space-y-4">
      <h1 className="page-title">{t("admin.audit.title")}</h1>
      <p className="text-sm text-slate-600" data-testid="audit-retention">
        {t("admin.audit.retention")}
      </p>
      <Form method="get" className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor="audit-action" className="label">
            {t("admin.audit.action")}
          </label>
          <select id="audit-action" name="action" defaultValue={d.action} className="input w-auto">
            <option value="">{t("admin.audit.allActions")}</option>
            {d.actions.map((a) => (
              <option key={a} value={a}>
                {actionLabel(a)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn-secondary">
          {t("common.filter")}
        </button>
      </Form>
      <div className="card overflow-x-auto p-0">
        {d.items.length === 0 ? (
          <p className="p-5 text-sm text-slate-500">{t("common.none")}</p>
        ) : (
          <table className="table" data-testid="audit-events">
            <thead>
              <tr>
                <th>{t("common.time")}</th>
                <th>{t("admin.audit.actor")}</th>
                <th>{t("admin.audit.action")}</th>
                <th>{t("admin.audit.target")}</th>
                <th>{t("admin.audit.ip")}</th>
                <th>{t("common.details")}</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((e) => (
                <tr key={e.id}>
                  <td className="whitespace-nowrap">{formatDateTime(e.at, locale)}</td>
                  <td>{e.actor || t("admin.audit.system")}</td>
                  <td>{actionLabel(e.action)}</td>
                  <td className="break-all">{e.target}</td>
                  <td className="whitespace-nowrap font-mono text-xs">{e.ip}</td>
                  <td className="break-all text-xs text-slate-500">{e.details}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <Pagination page={d.page} pageSize={PAGE_SIZE} total={d.total} hasMore={d.hasMore} />
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d?.title ?? "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
