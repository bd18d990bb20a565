import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { listRubricVersions } from "~/data/rubrics.server";
import { translate } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { formatDate } from "~/lib/datetime";
import { pickText } from "~/lib/rubric/localize";
import { getLocale } from "~/locale.server";
import { requireTenant, tenantName } from "~/tenant.server";

/** Public (no login): every published rubric version an enterprise of this tenant may be graded on. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const versions = await listRubricVersions({ tenantId: tenant._id, status: "published" });
  const locale = await getLocale(request);
  return {
    locale,
    slug: tenant.slug,
    tenantName: tenantName(tenant, locale),
    versions: versions.map((v) => ({
      id: String(v._id),
      ref: `${v.key}@${v.version}`,
      title: v.title,
      standard: v.standard,
      own: v.tenantId !== null,
      itemCount: v.itemCount,
      totalPoints: v.totalPoints,
      publishedAt: v.publishedAt ? v.publishedAt.toISOString() : null,
    })),
  };
}

export default function PublicCriteriaList() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  return (
    <section className="mx-auto max-w-4xl">
      <h1 className="page-title">{t("rubric.public.listTitle")}</h1>
      <p className="mb-4 text-sm text-slate-600">
        {t("rubric.public.listIntro", { tenant: d.tenantName })}
      </p>
      {d.versions.length === 0 ? (
        <p className="card text-sm text-slate-500">{t("rubric.list.empty")}</p>
      ) : (
        <ul className="space-y-3">
          {d.versions.map((v) => (
            <li key={v.id} className="card">
              <Link
                to={`/t/${d.slug}/criteria/${v.id}`}
                className="font-medium text-brand-700 hover:underline"
              >
                {pickText(v.title, locale)}
              </Link>
              <p className="mt-1 text-sm text-slate-600">
                <span className="font-mono">{v.ref}</span> · {v.standard} ·{" "}
                {t("rubric.detail.totalsValue", { points: v.totalPoints, items: v.itemCount })}
                {v.own ? <span className="ml-2">· {t("rubric.source.tenant")}</span> : null}
                {v.publishedAt ? (
                  <span className="ml-2">· {formatDate(v.publishedAt, locale)}</span>
                ) : null}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  {
    title: d ? `${translate(d.locale, "rubric.public.listTitle")} · ${d.tenantName}` : "SafeGrade",
  },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
