import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { clientIp } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice } from "~/components/form";
import { toObjectId } from "~/data/ids.server";
import { getRubricVersion, listRubricVersions } from "~/data/rubrics.server";
import {
  getVisibleWeightProfile,
  isPublished,
  publishWeightProfile,
  updateWeightProfile,
} from "~/data/weight-profiles.server";
import { WeightPreview, WeightPublishControl } from "~/components/weight-profile-parts";
import { elementShares } from "~/lib/rubric/weight-targets";
import { translate } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { describeIssue, type RubricIssue } from "~/lib/rubric/issues";
import { pickText } from "~/lib/rubric/localize";
import { msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission, tenantName } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

type RuleType = "tag" | "element" | "item";
type RuleRow = { type: RuleType; target: string; weight: string };

/** Blank rows offered after the existing rules, so rules can be added without script. */
const BLANK_ROWS = 3;
const MAX_ROWS = 500;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant } = await requireTenantPermission(request, params, "manage:rubric:any");
  const id = toObjectId(params.id);
  if (!id) throw notFound();
  const loaded = await getVisibleWeightProfile({ tenantId: tenant._id, id });
  if (!loaded) throw notFound();
  const locale = await getLocale(request);
  const { meta, profile } = loaded;
  // The preview: what this profile does to one published rubric (?rubric=<id>, else the first).
  const rubrics = await listRubricVersions({ tenantId: tenant._id, status: "published" });
  const wanted = new URL(request.url).searchParams.get("rubric");
  const chosen = rubrics.find((r) => String(r._id) === wanted) ?? rubrics[0];
  const previewRubric = chosen ? await getRubricVersion({ tenantId: tenant._id, id: chosen._id }) : null;
  const published = isPublished(meta);
  return {
    preview: {
      rubrics: rubrics.map((r) => ({ id: String(r._id), label: `${r.key}@${r.version}`, title: r.title })),
      chosen: chosen ? String(chosen._id) : null,
      shares: previewRubric ? elementShares(previewRubric.rubric, profile) : [],
    },
    locale,
    title: `${translate(locale, "weights.list.title")} ${meta.key} · ${tenantName(tenant, locale)}`,
    slug: tenant.slug,
    profile: {
      id: String(meta._id),
      key: meta.key,
      title: { zh: profile.title.zh, en: profile.title.en ?? "" },
      description: profile.description ?? null,
      parentKey: meta.parentKey,
      revision: meta.revision,
      status: published ? ("published" as const) : ("draft" as const),
      tenantOwned: meta.tenantId !== null,
      editable: meta.tenantId !== null && !published,
      rules: profile.rules.map((r): RuleRow => ({
        type: r.item !== undefined ? "item" : r.element !== undefined ? "element" : "tag",
        target: r.item ?? r.element ?? r.tag ?? "",
        weight: String(r.weight),
      })),
    },
  };
}

type ActionResult = {
  ok?: boolean;
  published?: boolean;
  revision?: number;
  errors?: Record<string, string>;
  /** Issues by row index of the submitted form (`rules.<row>`), or by field path otherwise. */
  issues?: Array<RubricIssue & { row: number | null }>;
};

function readRows(form: FormData): RuleRow[] {
  const rows: RuleRow[] = [];
  for (let i = 0; i < MAX_ROWS; i++) {
    const type = form.get(`rules.${i}.type`);
    if (type === null) break;
    const t = String(type);
    rows.push({
      type: t === "element" || t === "item" ? t : "tag",
      target: String(form.get(`rules.${i}.target`) ?? "").trim(),
      weight: String(form.get(`rules.${i}.weight`) ?? "").trim(),
    });
  }
  return rows;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "manage:rubric:any");
  const id = toObjectId(params.id);
  if (!id) throw notFound();
  const form = await readForm(request);
  const revision = Number(form.get("revision"));
  const intent = form.get("intent");
  if ((intent !== "save" && intent !== "publish") || !Number.isInteger(revision) || revision < 0)
    return data<ActionResult>({ errors: { _form: msg("errors.generic") } }, { status: 400 });
  const actor = { id: member.user._id, email: member.user.email };
  if (intent === "publish") {
    const published = await publishWeightProfile({ tenantId: tenant._id, id, expectedRevision: revision, actor, ip: clientIp(request) });
    if (published.ok) return data<ActionResult>({ ok: true, published: true });
    if (published.error === "notFound") throw notFound();
    return refusal(published.error);
  }

  // Empty rows are offered for adding rules; they are not rules. `rowOf[i]` = form row of rule i.
  const rowOf: number[] = [];
  const rules: Array<Record<string, unknown>> = [];
  readRows(form).forEach((row, i) => {
    if (row.target === "" && row.weight === "") return;
    rowOf.push(i);
    // A weight that is not a number is passed on as text, so the schema names the field.
    const weight =
      row.weight !== "" && Number.isFinite(Number(row.weight)) ? Number(row.weight) : row.weight;
    rules.push({ [row.type]: row.target, weight });
  });
  const titleEn = String(form.get("title.en") ?? "").trim();
  const current = await getVisibleWeightProfile({ tenantId: tenant._id, id });
  if (!current) throw notFound();
  const profile: Record<string, unknown> = {
    title: { zh: String(form.get("title.zh") ?? "").trim(), ...(titleEn ? { en: titleEn } : {}) },
    rules,
  };
  const descriptionZh = String(form.get("description.zh") ?? "").trim();
  const descriptionEn = String(form.get("description.en") ?? "").trim();
  if (descriptionZh || descriptionEn)
    profile.description = { zh: descriptionZh, ...(descriptionEn ? { en: descriptionEn } : {}) };

  const result = await updateWeightProfile({
    tenantId: tenant._id,
    id,
    expectedRevision: revision,
    profile,
    actor,
    ip: clientIp(request),
  });
  if (result.ok) return data<ActionResult>({ ok: true, revision: result.revision });
  switch (result.error) {
    case "notFound":
      throw notFound();
    case "invalid":
      return data<ActionResult>(
        {
          errors: { _form: msg("weights.invalid", { count: result.issues.length }) },
          issues: result.issues.map((issue) => {
            const [first, index] = issue.segments;
            const row =
              first === "rules" && typeof index === "number" ? (rowOf[index] ?? null) : null;
            return { ...issue, row };
          }),
        },
        { status: 400 },
      );
    case "immutable":
    case "published":
    case "conflict":
      return refusal(result.error);
  }
}

function refusal(error: "immutable" | "published" | "conflict") {
  const key = error === "immutable" ? "weights.error.immutable" : error === "published" ? "weights.error.published" : "errors.conflict";
  return data<ActionResult>({ errors: { _form: msg(key) } }, { status: 409 });
}

export default function WeightProfilePage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const t = useT();
  const locale = useLocale();
  const p = d.profile;
  const issues = actionData?.issues ?? [];
  // In words: the field's name, then the problem ("权重：须大于 0"), never a JSON path.
  const issueText = (issue: RubricIssue) => {
    const described = describeIssue(issue.message);
    const problem = described ? t(described.key, described.params) : issue.message;
    const [first, , field] = issue.segments;
    if (first === "rules") {
      const label = field === "weight" ? t("weights.field.weight") : field === undefined ? t("weights.field.rule") : t("weights.field.target");
      return `${label}${problem}`;
    }
    if (first === "title") return `${t("weights.titleZh")}：${problem}`;
    if (first === "description") return `${t("weights.descriptionZh")}：${problem}`;
    return problem;
  };
  const rowIssues = (row: number) => issues.filter((i) => i.row === row);
  const otherIssues = issues.filter((i) => i.row === null);
  const rows: RuleRow[] = [
    ...p.rules,
    ...Array.from({ length: BLANK_ROWS }, (): RuleRow => ({ type: "tag", target: "", weight: "" })),
  ];
  const saved = actionData?.ok === true && actionData.revision === p.revision;
  const justPublished = actionData?.published === true && p.status === "published";
  const typeOptions: RuleType[] = ["tag", "element", "item"];
  return (
    <section>
      <p className="mb-2 text-sm">
        <Link to={`/t/${d.slug}/weights`} className="text-brand-700 hover:underline">
          ← {t("weights.back")}
        </Link>
      </p>
      <h1 className="page-title">
        {pickText(p.title, locale)}{" "}
        <span className="font-mono text-sm text-slate-500">{p.key}</span>
      </h1>
      {p.description ? (
        <p className="mb-4 max-w-3xl text-sm text-slate-600">{pickText(p.description, locale)}</p>
      ) : null}
      <p className="mb-3 flex flex-wrap items-center gap-2 text-sm">
        <span
          className={`badge ${p.status === "draft" ? "bg-amber-100 text-amber-800" : "bg-emerald-100 text-emerald-800"}`}
          data-testid="weights-status"
          data-status={p.status}
        >
          {t(`weights.status.${p.status}`)}
        </span>
        {p.status === "draft" ? <span className="text-slate-600">{t("weights.draftNote")}</span> : null}
        {p.editable ? <WeightPublishControl revision={p.revision} /> : null}
      </p>
      {!p.tenantOwned ? (
        <p className="mb-4 text-sm text-amber-700" data-testid="weights-readonly">
          {t("weights.readonly")}
        </p>
      ) : p.status === "published" ? (
        <p className="mb-4 text-sm text-amber-700" data-testid="weights-readonly">
          {t("weights.error.published")}
        </p>
      ) : null}
      <div className="mb-3 space-y-2">
        {saved ? <Notice>{t("weights.saved")}</Notice> : null}
        {justPublished ? <Notice>{t("weights.published")}</Notice> : null}
        <FormError error={actionData?.errors?._form} />
        {otherIssues.length > 0 ? (
          <ul className="list-disc pl-5 text-sm text-red-700" data-testid="weights-issues">
            {otherIssues.map((issue, i) => (
              <li key={i}>{issueText(issue)}</li>
            ))}
          </ul>
        ) : null}
      </div>
      {/* Remounted after each save, so the fields show what was stored. */}
      <Form method="post" className="card space-y-4" key={p.revision}>
        <input type="hidden" name="intent" value="save" />
        <input type="hidden" name="revision" value={p.revision} />
        <div className="grid gap-3 sm:grid-cols-2">
          <label className="block">
            <span className="label">{t("weights.titleZh")}</span>
            <input
              name="title.zh"
              className="input"
              defaultValue={p.title.zh}
              disabled={!p.editable}
            />
          </label>
          <label className="block">
            <span className="label">{t("weights.titleEn")}</span>
            <input
              name="title.en"
              className="input"
              defaultValue={p.title.en}
              disabled={!p.editable}
            />
          </label>
          <label className="block">
            <span className="label">{t("weights.descriptionZh")}</span>
            <textarea
              name="description.zh"
              className="input min-h-20"
              defaultValue={p.description?.zh ?? ""}
              disabled={!p.editable}
            />
          </label>
          <label className="block">
            <span className="label">{t("weights.descriptionEn")}</span>
            <textarea
              name="description.en"
              className="input min-h-20"
              lang="en"
              defaultValue={p.description?.en ?? ""}
              disabled={!p.editable}
            />
          </label>
        </div>
        <div>
          <h2 className="mb-1 font-medium">{t("weights.rules")}</h2>
          <p className="mb-2 text-xs text-slate-500">{t("weights.rules.hint")}</p>
          <table className="table" data-testid="weight-rules">
            <thead>
              <tr>
                <th>{t("weights.rule.type")}</th>
                <th>{t("weights.rule.target")}</th>
                <th>{t("weights.rule.weight")}</th>
              </tr>
            </thead>
            <tbody>
              {(p.editable ? rows : p.rules).map((row, i) => {
                const rowErrors = rowIssues(i);
                return (
                  <tr key={i} data-rule-row={i} className={rowErrors.length > 0 ? "bg-red-50" : ""}>
                    <td>
                      <select
                        name={`rules.${i}.type`}
                        className="input py-1"
                        defaultValue={row.type}
                        disabled={!p.editable}
                        aria-label={t("weights.rule.type")}
                      >
                        {typeOptions.map((o) => (
                          <option key={o} value={o}>
                            {t(`weights.rule.type.${o}`)}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <input
                        name={`rules.${i}.target`}
                        className="input py-1 font-mono text-sm"
                        defaultValue={row.target}
                        disabled={!p.editable}
                        aria-label={t("weights.rule.target")}
                      />
                    </td>
                    <td>
                      <input
                        name={`rules.${i}.weight`}
                        className="input w-28 py-1 tabular-nums"
                        inputMode="decimal"
                        defaultValue={row.weight}
                        disabled={!p.editable}
                        aria-label={t("weights.rule.weight")}
                        aria-invalid={rowErrors.length > 0 ? true : undefined}
                      />
                      {rowErrors.map((issue, k) => (
                        <p key={k} className="field-error" role="alert" data-field-error>
                          {issueText(issue)}
                        </p>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {p.editable ? (
          <button type="submit" className="btn-primary" disabled={navigation.state !== "idle"}>
            {t("weights.save")}
          </button>
        ) : null}
      </Form>
      <WeightPreview slug={d.slug} profileId={p.id} preview={d.preview} />
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d?.title ?? "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
