import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { clientIp, forbidden, requireMember, requirePermission, type Member } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice } from "~/components/form";
import { parseLicenceRows, setEnterpriseLicences } from "~/data/enterprise-master/licences.server";
import { ALL_DISTRICTS, getEnterprise } from "~/data/enterprises.server";
import { useErrorText, useT } from "~/i18n/react";
import { LICENCE_TYPES, licenceState } from "~/lib/enterprise-master-data";
import { readForm } from "~/lib/http/read-form.server";
import { can } from "~/lib/permissions";
import { notFound, requireTenant } from "~/tenant.server";

/** The enterprise's own admin or a regulator whose districts cover it; others 404/403 as on the enterprise page. */
async function requireLicenceEditor(request: Request, params: { slug?: string; id?: string }) {
  const tenant = await requireTenant(params);
  const member: Member = await requireMember(request, tenant);
  requirePermission(member, "read:enterprise:any", "read:enterprise:own");
  const isOwn = member.enterpriseId !== null && String(member.enterpriseId) === params.id;
  if (!can(member.permissions, "read:enterprise:any") && !isOwn) throw notFound();
  const enterprise = await getEnterprise({ tenantId: tenant._id, id: params.id ?? "", scope: isOwn ? ALL_DISTRICTS : member });
  if (!enterprise) throw notFound();
  const canEdit = can(member.permissions, "update:enterprise:any") || (isOwn && can(member.permissions, "update:enterprise:own"));
  return { tenant, member, enterprise, canEdit };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, enterprise, canEdit } = await requireLicenceEditor(request, params);
  const now = new Date();
  return {
    slug: tenant.slug,
    enterprise: { id: String(enterprise._id), name: enterprise.name },
    canEdit,
    licences: (enterprise.licences ?? []).map((l) => ({
      type: l.type,
      number: l.number,
      expiresAt: new Date(l.expiresAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10),
      state: licenceState(l.expiresAt, now),
    })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member, enterprise, canEdit } = await requireLicenceEditor(request, params);
  if (!canEdit) throw forbidden();
  const form = await readForm(request);
  const strings = (name: string) => form.getAll(name).map((v) => (typeof v === "string" ? v : ""));
  const types = strings("type");
  const numbers = strings("number");
  const dates = strings("expiresAt");
  const rows = types.map((type, i) => ({ type, number: numbers[i] ?? "", expiresAt: dates[i] ?? "" }));
  const parsed = parseLicenceRows(rows);
  if (!parsed.ok) return data({ ok: false, errors: parsed.errors }, { status: 400 });
  await setEnterpriseLicences({
    tenantId: tenant._id,
    enterpriseId: enterprise._id,
    licences: parsed.licences,
    actor: { id: member.user._id, email: member.user.email },
    ip: clientIp(request),
  });
  return data({ ok: true, errors: {} as Record<string, string> });
}

export default function EnterpriseLicences() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const errorText = useErrorText();
  const errors: Record<string, string> = actionData?.errors ?? {};
  const rows = [...d.licences, ...(d.canEdit ? [{ type: "safety-production", number: "", expiresAt: "", state: "valid" }] : [])];
  return (
    <section className="mx-auto max-w-3xl space-y-4">
      <h1 className="page-title">
        {t("licence.title")} · {d.enterprise.name}
      </h1>
      {actionData?.ok ? <Notice>{t("licence.saved")}</Notice> : null}
      <FormError error={errors._form} />
      {rows.length === 0 ? <p className="text-slate-500">{t("licence.none")}</p> : null}
      <Form method="post" className="card space-y-3" data-testid="licences">
        {rows.map((row, i) => (
          <fieldset key={`${i}-${row.number}`} className="grid gap-2 sm:grid-cols-4" disabled={!d.canEdit}>
            <select name="type" defaultValue={row.type} aria-label={t("licence.type")} className="input">
              {LICENCE_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`licence.type.${type}`)}
                </option>
              ))}
            </select>
            <input name="number" defaultValue={row.number} aria-label={t("licence.number")} placeholder={t("licence.number")} className="input" />
            <input name="expiresAt" type="date" defaultValue={row.expiresAt} aria-label={t("licence.expiresAt")} className="input" />
            <span className="text-sm" data-licence-state={row.number ? row.state : undefined}>
              {row.number ? t(`licence.state.${row.state === "valid" ? "valid" : row.state === "expired" ? "expired" : "expiring"}`) : null}
              {[errors[`licences.${i}.type`], errors[`licences.${i}.number`], errors[`licences.${i}.expiresAt`]]
                .filter(Boolean)
                .map((e) => (
                  <span key={e} className="field-error block">
                    {errorText(e)}
                  </span>
                ))}
            </span>
          </fieldset>
        ))}
        <div className="flex justify-end gap-2">
          <Link to={`/t/${d.slug}/enterprises/${d.enterprise.id}`} className="btn-secondary">
            {t("common.back")}
          </Link>
          {d.canEdit ? (
            <button type="submit" className="btn-primary">
              {t("licence.save")}
            </button>
          ) : null}
        </div>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
