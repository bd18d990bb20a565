import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { clientIp } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, TextField } from "~/components/form";
import { TenantConfigFields, tenantConfigInputFrom } from "~/components/tenant-config-fields";
import { createTenant } from "~/data/tenants/platform.server";
import { platformActor, requirePlatformAdmin } from "~/data/tenants/platform-auth.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { readForm } from "~/lib/http/read-form.server";
import { stringEntries, TENANT_CONFIG_DEFAULTS, withDefaults } from "~/lib/tenant-config";
import { getLocale } from "~/locale.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePlatformAdmin(request);
  return { locale: await getLocale(request), defaults: TENANT_CONFIG_DEFAULTS };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePlatformAdmin(request);
  const input = tenantConfigInputFrom(await readForm(request));
  const result = await createTenant({
    input,
    actor: platformActor(user),
    ip: clientIp(request),
    locale: await getLocale(request),
  });
  if (!result.ok) return data({ errors: result.errors, values: input }, { status: result.status });
  const invited = input.adminEmail && !result.invitationError ? `&invited=${encodeURIComponent(input.adminEmail)}` : "";
  return redirect(`/platform/tenants/${result.slug}?created=1${invited}`);
}

export default function NewTenant() {
  const { defaults } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const navigation = useNavigation();
  const errors = stringEntries(actionData?.errors);
  const sent = stringEntries(actionData?.values);
  const values = withDefaults({ ...defaults, ...sent });
  return (
    <section className="mx-auto max-w-3xl">
      <h1 className="page-title">{t("platform.tenants.new")}</h1>
      <Form method="post" noValidate className="space-y-4" data-testid="tenant-form">
        <FormError error={errors._form} />
        <div className="card space-y-4">
          <TextField name="slug" label={t("platform.field.slug")} defaultValue={sent.slug ?? ""} error={errors.slug} autoFocus />
          <TextField
            name="adminEmail"
            type="email"
            label={t("platform.field.adminEmail")}
            defaultValue={sent.adminEmail ?? ""}
            error={errors.adminEmail}
          />
        </div>
        <TenantConfigFields values={values} errors={errors} />
        <div className="flex justify-end gap-2">
          <Link to="/platform" className="btn-secondary">
            {t("common.cancel")}
          </Link>
          <button type="submit" className="btn-primary" disabled={navigation.state === "submitting"}>
            {t("platform.create.submit")}
          </button>
        </div>
      </Form>
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "platform.tenants.new") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
