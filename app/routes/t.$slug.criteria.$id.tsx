import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { RubricOverview, RubricTree } from "~/components/rubric-tree";
import { toObjectId } from "~/data/ids.server";
import { countItems, getRubricVersion } from "~/data/rubrics.server";
import { useLocale, useT } from "~/i18n/react";
import { formatDate } from "~/lib/datetime";
import { pickText } from "~/lib/rubric/localize";
import type { Rubric } from "~/lib/rubric/schema";
import { getLocale } from "~/locale.server";
import { notFound, requireTenant, tenantName } from "~/tenant.server";

/** Public (no login): the criteria an enterprise of this jurisdiction is graded on, one published version. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const id = toObjectId(params.id);
  if (!id) throw notFound();
  const loaded = await getRubricVersion({ tenantId: tenant._id, id });
  // Drafts are not public, whoever asks.
  if (!loaded || loaded.meta.status !== "published") throw notFound();
  const locale = await getLocale(request);
  return {
    locale,
    slug: tenant.slug,
    tenantName: tenantName(tenant, locale),
    authority: locale === "en" ? tenant.authority.en : tenant.authority.zh,
    ref: `${loaded.meta.key}@${loaded.meta.version}`,
    ownVersion: loaded.meta.tenantId !== null,
    publishedAt: loaded.meta.publishedAt ? loaded.meta.publishedAt.toISOString() : null,
    itemCount: countItems(loaded.rubric),
    rubric: loaded.rubric,
  };
}

/** Hides the site chrome when printing; the page itself is the document. */
const PRINT_CSS = `@media print {
  body > div > header, body > div > footer, [data-no-print] { display: none !important; }
  main { max-width: none !important; padding: 0 !important; }
  body, .bg-slate-50 { background: #fff !important; }
  .card { box-shadow: none !important; border-color: #cbd5e1 !important; }
  section, li { break-inside: avoid; }
}`;

export default function PublicCriteriaPage() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const rubric: Rubric = d.rubric;
  return (
    <article className="mx-auto max-w-5xl" data-testid="public-criteria">
      <style>{PRINT_CSS}</style>
      <p className="mb-2 text-sm" data-no-print>
        <Link to={`/t/${d.slug}/criteria`} className="text-brand-700 hover:underline">
          ← {t("rubric.public.listTitle")}
        </Link>
      </p>
      <div className="mb-4 flex flex-wrap items-start gap-3">
        <div className="min-w-0 flex-1">
          <p className="text-sm text-slate-500">{d.authority}</p>
          <h1 className="page-title mb-1">{pickText(rubric.title, locale)}</h1>
          <p className="text-sm text-slate-600">
            <span className="font-mono">{d.ref}</span>
            {d.publishedAt ? (
              <span className="ml-2">
                {t("rubric.public.published", { date: formatDate(d.publishedAt, locale) })}
              </span>
            ) : null}
          </p>
        </div>
        <button
          type="button"
          className="btn-secondary print:hidden"
          onClick={() => window.print()}
          data-no-print
        >
          {t("rubric.public.print")}
        </button>
      </div>
      <p className="mb-4 text-sm text-slate-700">
        {t("rubric.public.intro", { tenant: d.tenantName })}
      </p>
      <div className="mb-4 rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-700">
        <p>{t("rubric.public.formula")}</p>
        <p className="mt-1">{t("rubric.public.levelRule")}</p>
      </div>
      <div className="space-y-4">
        <RubricOverview rubric={rubric} itemCount={d.itemCount} />
        <RubricTree rubric={rubric} />
      </div>
    </article>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? `${d.rubric.title.zh} ${d.ref} · ${d.tenantName}` : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
