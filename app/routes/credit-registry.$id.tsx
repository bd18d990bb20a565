/** GET /credit-registry/<id> — one published credit-list record, published fields only (no login). */
import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { clientIp } from "~/auth.server";
import { AppShell } from "~/components/app-shell";
import { CreditRecordDetail, RateLimited } from "~/components/credit-registry";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { checkRegistryRateLimit, getPublicCreditRecord } from "~/data/credit-registry.server";
import { translate } from "~/i18n";
import { useT } from "~/i18n/react";
import { getLocale } from "~/locale.server";
import { notFound } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = await getLocale(request);
  const limited = await checkRegistryRateLimit(clientIp(request));
  if (limited)
    return data(
      { ...limited, locale },
      { status: 429, headers: { "Retry-After": String(limited.retryAfterSeconds), "Cache-Control": "no-store" } },
    );
  const record = await getPublicCreditRecord({ id: params.id ?? "", tenantId: null });
  if (!record) throw notFound();
  return data({ kind: "ok" as const, record, locale }, { headers: { "Cache-Control": "no-store" } });
}

export default function CreditRecordPublic() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <AppShell brandHref="/" title={t("creditPublic.detail.title")} nav={[]} user={null}>
      <div className="py-4">
        {d.kind === "ok" ? <CreditRecordDetail r={d.record} back="/credit-registry" /> : <RateLimited minutes={d.minutes} />}
      </div>
    </AppShell>
  );
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
