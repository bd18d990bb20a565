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
import { getVisibleWeightProfile, updateWeightProfile } from "~/data/weight-profiles.server";
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
  return {
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
      editable: meta.tenantId !== null,
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
  if (form.get("intent") !== "save" || !Number.isInteger(revision) || revision < 0)
    return data<ActionResult>({ errors: { _form: msg("errors.generic") } }, { status: 400 });

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
  if (current.profile.description) profile.description = current.profile.description;

  const result = await updateWeightProfile({
    tenantId: tenant._id,
    id,
    expectedRevision: revision,
    profile,
    actor: { id: member.user._id, email: member.user.email },
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
      return data<ActionResult>(
        { errors: { _form: msg("weights.error.immutable") } },
        { status: 409 },
      );
    case "conflict":
      return data<ActionResult>({ errors: { _form: msg("errors.conflict") } }, { status: 409 });
  }
}

export default function WeightProfilePage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const t = useT();
  const locale = useLocale();
  const p = d.profile;
  const issues = actionData?.issues ?? [];
  const issueText = (issue: RubricIssue) => {
    const described = describeIssue(issue.message);
    return `${issue.path ? `${issue.path}: ` : ""}${described ? t(described.key, described.params) : issue.message}`;
  };
  const rowIssues = (row: number) => issues.filter((i) => i.row === row);
  const otherIssues = issues.filter((i) => i.row === null);
  const rows: RuleRow[] = [
    ...p.rules,
    ...Array.from({ length: BLANK_ROWS }, (): RuleRow => ({ type: "tag", target: "", weight: "" })),
  ];
  const saved = actionData?.ok === true && actionData.revision === p.revision;
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
      {!p.editable ? (
        <p className="mb-4 text-sm text-amber-700" data-testid="weights-readonly">
          {t("weights.readonly")}
        </p>
      ) : null}
      <div className="mb-3 space-y-2">
        {saved ? <Notice>{t("weights.saved")}</Notice> : null}
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
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d?.title ?? "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
