import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PublishControl } from "~/components/rubric-actions";
import { getPublishInfo } from "~/data/rubric-publish-info.server";
import { StatusBadge } from "~/components/rubric-tree";
import { toObjectId } from "~/data/ids.server";
import { rescorePreview } from "~/data/rubric-admin.server";
import { getRubricVersion, listWeightProfiles } from "~/data/rubrics.server";
import { translate } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { pickText } from "~/lib/rubric/localize";
import type { ScoreSnapshot } from "~/lib/scoring/rescore";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission, tenantName } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  // Scores of named enterprises: only the people who may change the rubric see this.
  const { tenant } = await requireTenantPermission(request, params, "manage:rubric:any");
  const id = toObjectId(params.id);
  if (!id) throw notFound();
  const version = await getRubricVersion({ tenantId: tenant._id, id });
  if (!version || version.meta.tenantId === null) throw notFound();
  // ?weights= absent: each assessment's own profile; "none": unweighted; otherwise a profile key.
  const weightsParam = new URL(request.url).searchParams.get("weights");
  const weightsKey =
    weightsParam === null || weightsParam === ""
      ? undefined
      : weightsParam === "none"
        ? null
        : weightsParam;
  const profiles = await listWeightProfiles({ tenantId: tenant._id });
  const started = performance.now();
  const preview = await rescorePreview({ tenantId: tenant._id, draftId: id, weightsKey });
  if (!preview) throw notFound();
  const elapsedMs = Math.round(performance.now() - started);
  const locale = await getLocale(request);
  return {
    locale,
    publishInfo: version.meta.status === "draft" ? await getPublishInfo({ tenantId: tenant._id, id }) : null,
    title: `${translate(locale, "rubric.preview.title")} ${version.meta.key}@${version.meta.version} · ${tenantName(tenant, locale)}`,
    slug: tenant.slug,
    version: {
      id: String(version.meta._id),
      label: `${version.meta.key}@${version.meta.version}`,
      status: version.meta.status,
      revision: version.meta.revision,
      hasParent: version.meta.parentId !== null,
    },
    preview,
    elapsedMs,
    weightsParam: weightsParam ?? "",
    profiles: profiles.map((p) => ({ key: p.key, title: p.title, shipped: p.tenantId === null })),
  };
}

function ScoreCell({
  snap,
  levelName,
}: {
  snap: ScoreSnapshot;
  levelName: (key: string | null) => string;
}) {
  const t = useT();
  return (
    <span className="whitespace-nowrap">
      <span className="tabular-nums font-medium">
        {snap.scoreText ?? t("rubric.preview.noScore")}
      </span>
      <span className="ml-1 text-slate-600">· {levelName(snap.level)}</span>
      {snap.scoreLevel && snap.scoreLevel !== snap.level ? (
        <span className="ml-1 text-xs text-slate-500">
          ({t("rubric.preview.scoreLevel", { level: levelName(snap.scoreLevel) })})
        </span>
      ) : null}
    </span>
  );
}

export default function RescorePreviewPage() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const base = `/t/${d.slug}/rubrics/${d.version.id}`;
  const { rows, summary } = d.preview;
  const levelName = (key: string | null) => {
    if (key === null) return t("rubric.preview.noLevel");
    const name = d.preview.levelNames[key];
    return name ? pickText(name, locale) : key;
  };
  return (
    <section>
      <p className="mb-2 text-sm">
        <Link to={base} className="text-brand-700 hover:underline">
          ← {d.version.label}
        </Link>
      </p>
      <div className="mb-2 flex flex-wrap items-center gap-3">
        <h1 className="page-title mb-0">{t("rubric.preview.title")}</h1>
        <StatusBadge status={d.version.status} />
        <div className="ml-auto flex gap-2">
          {d.version.hasParent ? (
            <Link to={`${base}/diff`} className="btn-secondary py-1.5">
              {t("rubric.actions.diff")}
            </Link>
          ) : null}
          {d.version.status === "draft" ? (
            <PublishControl action={base} revision={d.version.revision} info={d.publishInfo} />
          ) : null}
        </div>
      </div>
      <p className="mb-4 max-w-3xl text-sm text-slate-600">{t("rubric.preview.intro")}</p>
      <Form
        method="get"
        className="mb-4 flex flex-wrap items-center gap-2"
        data-testid="preview-weights"
      >
        <label htmlFor="preview-weights" className="text-sm text-slate-700">
          {t("rubric.preview.weights")}
        </label>
        <select
          id="preview-weights"
          name="weights"
          className="input w-auto py-1"
          defaultValue={d.weightsParam}
        >
          <option value="">{t("rubric.preview.weights.assessment")}</option>
          <option value="none">{t("rubric.preview.weights.none")}</option>
          {d.profiles.map((p) => (
            <option key={p.key} value={p.key}>
              {p.key} · {pickText(p.title, locale)}
              {p.shipped ? "" : ` (${t("weights.source.tenant")})`}
            </option>
          ))}
        </select>
        <button type="submit" className="btn-secondary py-1">
          {t("rubric.preview.weights.apply")}
        </button>
      </Form>
      {rows.length === 0 ? (
        <p className="card text-sm text-slate-600" data-testid="preview-empty">
          {t("rubric.preview.empty")}
        </p>
      ) : (
        <>
          <p className="mb-2 text-sm text-slate-700" data-testid="preview-summary">
            {t("rubric.preview.summary", {
              total: summary.total,
              up: summary.up,
              down: summary.down,
              same: summary.same,
              levelChanged: summary.levelChanged,
            })}
            <span className="ml-2 text-xs text-slate-500">
              {t("rubric.preview.elapsed", { ms: d.elapsedMs })}
            </span>
          </p>
          {summary.truncated ? (
            <p className="mb-2 text-sm text-amber-700">
              {t("rubric.preview.truncated", { count: summary.total })}
            </p>
          ) : null}
          <div className="card overflow-x-auto p-0">
            <table className="table" data-testid="preview-table">
              <thead>
                <tr>
                  <th>{t("rubric.preview.enterprise")}</th>
                  <th>{t("rubric.preview.cycle")}</th>
                  <th>{t("rubric.preview.pinned")}</th>
                  <th>{t("rubric.preview.before")}</th>
                  <th>{t("rubric.preview.after")}</th>
                  <th className="text-right">{t("rubric.preview.delta")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => {
                  const adjusted =
                    row.adjustments.dropped +
                    row.adjustments.invalidated +
                    row.adjustments.deductionsDropped;
                  const tone =
                    row.delta === null
                      ? ""
                      : row.delta > 0
                        ? "text-emerald-700"
                        : row.delta < 0
                          ? "text-red-700"
                          : "text-slate-500";
                  return (
                    <tr
                      key={row.assessmentId}
                      className={row.levelChanged ? "bg-amber-50" : ""}
                      data-assessment={row.assessmentId}
                    >
                      <td>
                        {row.enterpriseName || "—"}
                        {adjusted > 0 ? (
                          <p className="text-xs text-slate-500">
                            {t("rubric.preview.adjusted", { count: adjusted })}
                          </p>
                        ) : null}
                      </td>
                      <td>{row.cycle}</td>
                      <td className="font-mono text-xs">
                        {row.pinned.key}@{row.pinned.version}
                      </td>
                      <td>
                        <ScoreCell snap={row.before} levelName={levelName} />
                      </td>
                      <td>
                        <ScoreCell snap={row.after} levelName={levelName} />
                        {row.levelChanged ? (
                          <span className="badge ml-2 bg-amber-200 text-amber-900">
                            {t("rubric.preview.levelChanged")}
                          </span>
                        ) : null}
                      </td>
                      <td className={`text-right tabular-nums font-medium ${tone}`}>
                        {row.delta === null
                          ? "—"
                          : row.delta > 0
                            ? `+${row.delta.toFixed(1)}`
                            : row.delta.toFixed(1)}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? d.title : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
