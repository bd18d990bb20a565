/** Tenant admin: the email outbox (status, attempts, last error), filterable by status. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { EmailAdminTabs, OutboxStatusBadge } from "~/components/email-admin";
import { emailTemplateLabel } from "~/lib/labels";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pagination } from "~/components/pagination";
import { capturePageAvailable } from "~/data/mail-transport.server";
import { listOutbox } from "~/data/outbox.server";
import { translate, type MessageKey } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { formatDateTime } from "~/lib/datetime";
import { OUTBOX_PAGE_SIZE, OUTBOX_STATUSES } from "~/lib/outbox";
import { getLocale } from "~/locale.server";
import { requireTenantPermission, tenantName } from "~/tenant.server";
import { pageParam } from "~/lib/paging";

const querySchema = z.object({
  status: z.enum(OUTBOX_STATUSES).optional().or(z.literal("").transform(() => undefined)),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant } = await requireTenantPermission(request, params, "read:outbox:any");
  const query = querySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) throw new Response("Bad Request", { status: 400 });
  const { status } = query.data;
  const page = pageParam(new URL(request.url).searchParams.get("page"));
  const list = await listOutbox({ tenantId: tenant._id, status: status ?? null, page });
  const locale = await getLocale(request);
  return {
    title: `${translate(locale, "email.outbox.title")} · ${tenantName(tenant, locale)}`,
    slug: tenant.slug,
    capture: capturePageAvailable(),
    status: status ?? "",
    page: list.page,
    total: list.total,
    items: list.items.map((m) => ({
      id: String(m._id),
      template: m.template,
      to: m.to,
      locale: m.locale,
      status: m.status,
      attempts: m.attempts.length,
      lastError: m.lastError,
      createdAt: m.createdAt.toISOString(),
      nextAttemptAt: m.nextAttemptAt.toISOString(),
    })),
  };
}

export default function OutboxPage() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  return (
    <div className="space-y-4">
      <h1 className="page-title">{t("email.outbox.title")}</h1>
      <EmailAdminTabs slug={d.slug} capture={d.capture} />
      <p className="text-sm text-slate-600">{t("email.outbox.intro")}</p>
      <Form method="get" className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor="outbox-status" className="label">
            {t("email.outbox.status")}
          </label>
          <select id="outbox-status" name="status" defaultValue={d.status} className="input w-auto">
            <option value="">{t("email.outbox.allStatuses")}</option>
            {OUTBOX_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`email.outbox.status.${s}` as MessageKey)}
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
          <p className="p-5 text-sm text-slate-500">{t("email.outbox.empty")}</p>
        ) : (
          <table className="table" data-testid="outbox-table">
            <thead>
              <tr>
                <th scope="col">{t("email.outbox.createdAt")}</th>
                <th scope="col">{t("email.outbox.template")}</th>
                <th scope="col">{t("email.outbox.to")}</th>
                <th scope="col">{t("email.outbox.status")}</th>
                <th scope="col">{t("email.outbox.attempts")}</th>
                <th scope="col">{t("email.outbox.lastError")}</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((m) => (
                <tr key={m.id} data-outbox={m.id}>
                  <td className="whitespace-nowrap">
                    <Link to={`/t/${d.slug}/admin/outbox/${m.id}`} className="text-brand-700 hover:underline">
                      {formatDateTime(m.createdAt, locale)}
                    </Link>
                  </td>
                  <td className="text-sm" data-template={m.template}>
                    {emailTemplateLabel(t, m.template)}
                  </td>
                  <td className="break-all">{m.to}</td>
                  <td>
                    <OutboxStatusBadge status={m.status} />
                  </td>
                  <td>{m.attempts}</td>
                  <td className="max-w-xs break-all text-xs text-slate-500">{m.lastError}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <Pagination page={d.page} pageSize={OUTBOX_PAGE_SIZE} total={d.total} />
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: d?.title ?? "SafeGrade" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
