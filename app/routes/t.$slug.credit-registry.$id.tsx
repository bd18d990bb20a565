/** GET /t/<slug>/credit-registry/<id> — one published record of this tenant (no login). */
import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { clientIp } from "~/auth.server";
import { CreditRecordDetail, RateLimited } from "~/components/credit-registry";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { checkRegistryRateLimit, getPublicCreditRecord } from "~/data/credit-registry.server";
import { translate } from "~/i18n";
import { getLocale } from "~/locale.server";
import { notFound, requireTenant } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const locale = await getLocale(request);
  const limited = await checkRegistryRateLimit(clientIp(request));
  if (limited)
    return data(
      { ...limited, locale },
      { status: 429, headers: { "Retry-After": String(limited.retryAfterSeconds), "Cache-Control": "no-store" } },
    );
  const record = await getPublicCreditRecord({ id: params.id ?? "", tenantId: tenant._id });
  if (!record) throw notFound();
  return data(
    { kind: "ok" as const, record, locale, slug: tenant.slug },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export default function TenantCreditRecordPublic() {
  const d = useLoaderData<typeof loader>();
  if (d.kind !== "ok") return <RateLimited minutes={d.minutes} />;
  return <CreditRecordDetail r={d.record} back={`/t/${d.slug}/credit-registry`} />;
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  {
    title:
      d?.kind === "ok"
        ? `${d.record.subjectName} · ${translate(d.locale, "creditPublic.detail.title")}`
        : "SafeGrade",
  },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
