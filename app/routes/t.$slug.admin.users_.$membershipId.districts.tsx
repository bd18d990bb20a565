import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { clientIp } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice } from "~/components/form";
import { districtOptions } from "~/data/enterprises.server";
import { toObjectId } from "~/data/ids.server";
import { getRegulatorDistricts, setRegulatorDistricts } from "~/data/tenants/districts.server";
import { useT } from "~/i18n/react";
import { readForm } from "~/lib/http/read-form.server";
import { msg } from "~/lib/validation";
import { notFound, requireTenantPermission } from "~/tenant.server";

async function regulatorOf(request: Request, params: { slug?: string; membershipId?: string }) {
  const { tenant, member } = await requireTenantPermission(request, params, "update:user:any");
  const membershipId = toObjectId(params.membershipId);
  const regulator = membershipId ? await getRegulatorDistricts({ tenantId: tenant._id, membershipId }) : null;
  if (!membershipId || !regulator) throw notFound();
  return { tenant, member, membershipId, regulator };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, regulator } = await regulatorOf(request, params);
  return {
    slug: tenant.slug,
    name: regulator.name,
    email: regulator.email,
    selected: regulator.districtCodes,
    districts: districtOptions(tenant),
  };
}

/** Districts a regulator membership is limited to ([] = the whole city). */
export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member, membershipId } = await regulatorOf(request, params);
  const form = await readForm(request);
  const codes = form.getAll("districtCodes").filter((v): v is string => typeof v === "string");
  const result = await setRegulatorDistricts({
    tenant,
    membershipId,
    districtCodes: codes,
    actor: { id: member.user._id, email: member.user.email },
    ip: clientIp(request),
  });
  if (!result.ok) {
    if (result.error === "notFound") throw notFound();
    return data({ ok: false, error: msg("errors.invalidChoice") }, { status: 400 });
  }
  return data({ ok: true, error: "" });
}

export default function RegulatorDistricts() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  return (
    <section className="mx-auto max-w-2xl space-y-4">
      <h1 className="page-title">
        {t("district.scope.label")} · {d.name}
      </h1>
      <p className="text-sm text-slate-600">{d.email}</p>
      {actionData?.ok ? <Notice>{t("district.scope.saved")}</Notice> : null}
      <FormError error={actionData?.error || undefined} />
      <Form method="post" className="card space-y-4">
        <p className="text-sm text-slate-600">{t("district.scope.hint")}</p>
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-3">
          {d.districts.map((x) => (
            <label key={x.code} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="districtCodes" value={x.code} defaultChecked={d.selected.includes(x.code)} />
              {x.name}
            </label>
          ))}
        </div>
        <div className="flex justify-end gap-2">
          <Link to={`/t/${d.slug}/admin/users`} className="btn-secondary">
            {t("common.cancel")}
          </Link>
          <button type="submit" className="btn-primary">
            {t("district.scope.save")}
          </button>
        </div>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
