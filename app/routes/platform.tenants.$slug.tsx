import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { clientIp } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice, TextField } from "~/components/form";
import { TenantConfigFields, tenantConfigInputFrom } from "~/components/tenant-config-fields";
import {
  configInputOf,
  getPlatformTenant,
  inviteTenantAdmin,
  setTenantActive,
  updateTenantConfig,
} from "~/data/tenants/platform.server";
import { platformActor, requirePlatformAdmin } from "~/data/tenants/platform-auth.server";
import { isTenantActive } from "~/data/tenants.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { readForm } from "~/lib/http/read-form.server";
import { stringEntries, withDefaults } from "~/lib/tenant-config";
import { msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requirePlatformAdmin(request);
  const tenant = await getPlatformTenant({ slug: params.slug ?? "" });
  if (!tenant) throw new Response("Not Found", { status: 404 });
  const url = new URL(request.url);
  const locale = await getLocale(request);
  return {
    locale,
    slug: tenant.slug,
    name: locale === "en" ? tenant.authority.en : tenant.authority.zh,
    active: isTenantActive(tenant),
    deactivationReason: tenant.deactivationReason ?? "",
    values: configInputOf(tenant),
    notice: url.searchParams.get("created") ? "created" : url.searchParams.get("saved") ? "saved" : null,
    invited: url.searchParams.get("invited"),
  };
}

const INVITE_ERRORS: Record<string, string> = {
  duplicate: msg("errors.invite.duplicate"),
  alreadyMember: msg("errors.invite.alreadyMember"),
  email: msg("errors.email"),
  notFound: msg("platform.error.notFound"),
};

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePlatformAdmin(request);
  const slug = params.slug ?? "";
  const form = await readForm(request);
  const intent = form.get("intent");
  const actor = platformActor(user);
  const ip = clientIp(request);
  if (intent === "invite") {
    const email = String(form.get("email") ?? "");
    const result = await inviteTenantAdmin({ slug, email, actor, ip, locale: await getLocale(request) });
    if (!result.ok)
      return data({ intent, errors: { email: INVITE_ERRORS[result.error] ?? msg("errors.generic") } }, { status: result.error === "notFound" ? 404 : 400 });
    return redirect(`/platform/tenants/${slug}?invited=${encodeURIComponent(email.trim().toLowerCase())}`);
  }
  if (intent === "deactivate" || intent === "reactivate") {
    const result = await setTenantActive({ slug, active: intent === "reactivate", reason: String(form.get("reason") ?? ""), actor, ip });
    if (!result.ok) return data({ intent, errors: result.errors }, { status: result.status });
    return redirect(`/platform/tenants/${slug}?saved=1`);
  }
  if (intent !== "save") return data({ intent: "save", errors: { _form: msg("errors.generic") } }, { status: 400 });
  const input = tenantConfigInputFrom(form);
  const result = await updateTenantConfig({ slug, input, actor, ip });
  if (!result.ok) return data({ intent, errors: result.errors, values: input }, { status: result.status });
  return redirect(`/platform/tenants/${slug}?saved=1`);
}

export default function TenantConfigPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const navigation = useNavigation();
  const errorsFor = (intent: string) => stringEntries(actionData?.intent === intent ? actionData.errors : null);
  const sent = stringEntries(actionData && "values" in actionData ? actionData.values : null);
  return (
    <section className="mx-auto max-w-3xl space-y-6">
      <h1 className="page-title">{t("platform.tenant.title", { name: d.name })}</h1>
      {d.notice ? <Notice>{t(d.notice === "created" ? "platform.tenant.created" : "platform.tenant.saved")}</Notice> : null}
      {d.invited ? <Notice>{t("platform.tenant.invited", { email: d.invited })}</Notice> : null}
      <p className="text-sm text-slate-600">{t("platform.tenant.slugFixed", { slug: d.slug })}</p>
      <Form method="post" noValidate className="space-y-4" data-testid="tenant-form">
        <input type="hidden" name="intent" value="save" />
        <FormError error={errorsFor("save")._form} />
        <TenantConfigFields values={withDefaults({ ...d.values, ...sent })} errors={errorsFor("save")} />
        <div className="flex justify-end">
          <button type="submit" className="btn-primary" disabled={navigation.state === "submitting"}>
            {t("platform.save.submit")}
          </button>
        </div>
      </Form>
      <Form method="post" noValidate className="card space-y-4">
        <h2 className="font-medium">{t("platform.section.admin")}</h2>
        <input type="hidden" name="intent" value="invite" />
        <TextField name="email" type="email" label={t("platform.invite.email")} error={errorsFor("invite").email} />
        <button type="submit" className="btn-secondary">
          {t("platform.invite.submit")}
        </button>
      </Form>
      <Form method="post" noValidate className="card space-y-4" data-testid="tenant-status">
        <h2 className="font-medium">{t("platform.section.status")}</h2>
        {d.active ? (
          <>
            <input type="hidden" name="intent" value="deactivate" />
            <TextField name="reason" label={t("platform.deactivate.reason")} error={errorsFor("deactivate").reason} />
            <button type="submit" className="btn-danger">
              {t("platform.deactivate.submit")}
            </button>
          </>
        ) : (
          <>
            <p className="text-sm text-slate-600">
              {t("platform.tenants.inactive")}: {d.deactivationReason}
            </p>
            <input type="hidden" name="intent" value="reactivate" />
            <button type="submit" className="btn-secondary">
              {t("platform.reactivate.submit")}
            </button>
          </>
        )}
      </Form>
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "platform.tenant.title", { name: d.name }) : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
