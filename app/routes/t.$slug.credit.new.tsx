/** GET/POST /t/<slug>/credit/new — the regulator records a new credit-list entry as a draft. */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { clientIp, forbidden } from "~/auth.server";
import { requestNow } from "~/clock.server";
import { CreditDraftForm, EMPTY_CREDIT_DRAFT } from "~/components/credit-draft-form";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { createCreditDraft, getCreditSettings } from "~/data/credit-records.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";
import { requireTenantPermission } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "manage:credit:any");
  if (!member.roles.includes("regulator")) throw forbidden();
  const settings = await getCreditSettings({ tenantId: tenant._id });
  return { slug: tenant.slug, locale: await getLocale(request), conditions: settings.conditions };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "manage:credit:any");
  const result = await createCreditDraft({
    tenantId: tenant._id,
    member,
    input: Object.fromEntries(await readForm(request)),
    ip: clientIp(request),
    now: requestNow(request),
  });
  if (result.ok) return redirect(`/t/${tenant.slug}/credit/${result.id}`);
  if (result.status === 403) throw forbidden();
  return data({ errors: "errors" in result ? result.errors : {} }, { status: result.status });
}

export default function NewCreditRecord() {
  const { slug, conditions } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  return (
    <section className="mx-auto max-w-3xl">
      <Link to={`/t/${slug}/credit`} className="text-sm text-brand-700 hover:underline">
        ← {t("credit.detail.back")}
      </Link>
      <h1 className="page-title mt-2">{t("credit.new.title")}</h1>
      <CreditDraftForm
        defaults={EMPTY_CREDIT_DRAFT}
        conditions={conditions}
        serverErrors={actionData?.errors ?? {}}
        submitLabel={t("credit.new.submit")}
      />
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? translate(d.locale, "credit.new.title") : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
