import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { StatusBadge, useRuleText } from "~/components/rubric-tree";
import { toObjectId } from "~/data/ids.server";
import { diffWithParent } from "~/data/rubric-admin.server";
import { translate, type MessageKey } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { can } from "~/lib/permissions";
import type { ItemChange, ItemFieldChange, ItemRef } from "~/lib/rubric/diff";
import { pickText } from "~/lib/rubric/localize";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission, tenantName } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:rubric:any");
  const id = toObjectId(params.id);
  if (!id) throw notFound();
  const result = await diffWithParent({ tenantId: tenant._id, id });
  const canManage = can(member.permissions, "manage:rubric:any");
  if (!result || (result.version.meta.status === "draft" && !canManage)) throw notFound();
  const { version, parent, diff } = result;
  const locale = await getLocale(request);
  return {
    locale,
    title: `${translate(locale, "rubric.diff.title")} ${version.meta.key}@${version.meta.version} · ${tenantName(tenant, locale)}`,
    slug: tenant.slug,
    version: {
      id: String(version.meta._id),
      label: `${version.meta.key}@${version.meta.version}`,
      status: version.meta.status,
      editable: canManage && version.meta.status === "draft" && version.meta.tenantId !== null,
    },
    parent: parent
      ? { id: String(parent.meta._id), label: `${parent.meta.key}@${parent.meta.version}` }
      : null,
    levelNames: Object.fromEntries(
      [...(parent?.rubric.levels ?? []), ...version.rubric.levels].map((l) => [l.key, l.name]),
    ),
    diff,
  };
}

const ITEM_FIELD_LABELS: Record<ItemFieldChange["field"], MessageKey> = {
  text: "rubric.item.text",
  points: "rubric.item.points",
  rules: "rubric.item.rules",
  naAllowed: "rubric.item.naAllowed",
  evidenceRequired: "rubric.item.evidenceRequired",
  veto: "rubric.item.veto",
  tags: "rubric.item.tags",
  guidance: "rubric.item.guidance",
};

function Before({ children }: { children: ReactNode }) {
  return <del className="rounded bg-red-50 px-1 text-red-800 decoration-red-400">{children}</del>;
}
function After({ children }: { children: ReactNode }) {
  return <ins className="rounded bg-emerald-50 px-1 text-emerald-800 no-underline">{children}</ins>;
}

function FieldChange({ change }: { change: ItemFieldChange }) {
  const t = useT();
  const locale = useLocale();
  const ruleText = useRuleText();
  const yesNo = (v: boolean) => (v ? t("common.yes") : t("common.no"));
  let body: ReactNode;
  switch (change.field) {
    case "text":
    case "guidance":
      body = (
        <>
          <Before>{pickText(change.before, locale) || "—"}</Before> →{" "}
          <After>{pickText(change.after, locale) || "—"}</After>
        </>
      );
      break;
    case "points":
      body = (
        <>
          <Before>{change.before}</Before> → <After>{change.after}</After>
        </>
      );
      break;
    case "naAllowed":
    case "evidenceRequired":
    case "veto":
      body = (
        <>
          <Before>{yesNo(change.before)}</Before> → <After>{yesNo(change.after)}</After>
        </>
      );
      break;
    case "tags":
      body = (
        <>
          <Before>{change.before.join(", ") || "—"}</Before> →{" "}
          <After>{change.after.join(", ") || "—"}</After>
        </>
      );
      break;
    case "rules": {
      const beforeById = new Map(change.before.map((r) => [r.id, r]));
      const afterById = new Map(change.after.map((r) => [r.id, r]));
      body = (
        <ul className="mt-1 space-y-0.5">
          {change.rules.added.map((id) => {
            const r = afterById.get(id);
            return r ? (
              <li key={`a-${id}`}>
                <After>
                  + {pickText(r.text, locale)}：{ruleText(r)}
                </After>
              </li>
            ) : null;
          })}
          {change.rules.removed.map((id) => {
            const r = beforeById.get(id);
            return r ? (
              <li key={`r-${id}`}>
                <Before>
                  − {pickText(r.text, locale)}：{ruleText(r)}
                </Before>
              </li>
            ) : null;
          })}
          {change.rules.changed.map((id) => {
            const a = beforeById.get(id);
            const b = afterById.get(id);
            return a && b ? (
              <li key={`c-${id}`}>
                <Before>
                  {pickText(a.text, locale)}：{ruleText(a)}
                </Before>{" "}
                →{" "}
                <After>
                  {pickText(b.text, locale)}：{ruleText(b)}
                </After>
              </li>
            ) : null;
          })}
        </ul>
      );
      break;
    }
  }
  return (
    <li className="text-sm" data-field={change.field}>
      <span className="text-slate-500">{t(ITEM_FIELD_LABELS[change.field])}：</span>
      {body}
    </li>
  );
}

function ItemLine({ item, tone }: { item: ItemRef; tone: "added" | "removed" }) {
  const t = useT();
  const locale = useLocale();
  const colour = tone === "added" ? "border-emerald-300 bg-emerald-50" : "border-red-300 bg-red-50";
  return (
    <li
      className={`rounded-md border-l-4 px-3 py-2 ${colour}`}
      data-item={item.id}
      data-change={tone}
    >
      <span className="font-mono text-xs text-slate-500">{item.id}</span>{" "}
      <span className={tone === "removed" ? "line-through decoration-red-400" : ""}>
        {pickText(item.text, locale)}
      </span>{" "}
      <span className="whitespace-nowrap text-sm font-medium">
        {t("rubric.points", { points: item.points })}
      </span>
    </li>
  );
}

function ChangedItem({ item }: { item: ItemChange }) {
  const t = useT();
  const locale = useLocale();
  return (
    <li
      className="rounded-md border-l-4 border-amber-300 bg-amber-50 px-3 py-2"
      data-item={item.id}
      data-change="changed"
    >
      <p>
        <span className="font-mono text-xs text-slate-500">{item.id}</span>{" "}
        {pickText(item.text, locale)}
      </p>
      {item.movedFrom ? (
        <p className="text-sm text-slate-600">
          {t("rubric.diff.moved", { from: item.movedFrom.subElementId, to: item.subElementId })}
        </p>
      ) : null}
      <ul className="mt-1 space-y-1">
        {item.changes.map((c) => (
          <FieldChange key={c.field} change={c} />
        ))}
      </ul>
    </li>
  );
}

function Section({
  title,
  count,
  children,
  testId,
}: {
  title: string;
  count: number;
  children: ReactNode;
  testId: string;
}) {
  if (count === 0) return null;
  return (
    <section className="card" data-testid={testId}>
      <h2 className="mb-2 font-medium text-slate-900">
        {title} <span className="text-sm font-normal text-slate-500">({count})</span>
      </h2>
      {children}
    </section>
  );
}

export default function RubricDiffPage() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const base = `/t/${d.slug}/rubrics/${d.version.id}`;
  const diff = d.diff;
  const levelName = (key: string) => {
    const name = d.levelNames[key];
    return name ? pickText(name, locale) : key;
  };
  const pointsDelta = diff
    ? Math.round((diff.totals.pointsAfter - diff.totals.pointsBefore) * 100) / 100
    : 0;
  return (
    <section>
      <p className="mb-2 text-sm">
        <Link to={base} className="text-brand-700 hover:underline">
          ← {d.version.label}
        </Link>
      </p>
      <div className="mb-4 flex flex-wrap items-center gap-3">
        <h1 className="page-title mb-0">{t("rubric.diff.title")}</h1>
        <StatusBadge status={d.version.status} />
        {d.version.editable ? (
          <Link
            to={`${base}/preview`}
            className="btn-secondary ml-auto py-1.5"
            data-testid="open-preview"
          >
            {t("rubric.actions.preview")}
          </Link>
        ) : null}
      </div>
      {!d.parent || !diff ? (
        <p className="card text-sm text-slate-600">{t("rubric.diff.noParent")}</p>
      ) : (
        <div className="space-y-4">
          <p className="text-sm text-slate-600">
            {t("rubric.diff.against", { version: d.version.label, parent: d.parent.label })}
          </p>
          <div className="card grid gap-4 sm:grid-cols-2 lg:grid-cols-4" data-testid="diff-totals">
            <div>
              <p className="text-xs text-slate-500">{t("rubric.diff.totalPoints")}</p>
              <p className="text-lg font-semibold">
                {diff.totals.pointsBefore} → {diff.totals.pointsAfter}
                {pointsDelta !== 0 ? (
                  <span
                    className={`ml-2 text-sm ${pointsDelta > 0 ? "text-emerald-700" : "text-red-700"}`}
                  >
                    ({pointsDelta > 0 ? "+" : ""}
                    {pointsDelta})
                  </span>
                ) : null}
              </p>
            </div>
            <div>
              <p className="text-xs text-slate-500">{t("rubric.diff.itemCount")}</p>
              <p className="text-lg font-semibold">
                {diff.totals.itemsBefore} → {diff.totals.itemsAfter}
              </p>
            </div>
            <div className="sm:col-span-2">
              <p className="text-xs text-slate-500">{t("rubric.diff.counts")}</p>
              <p className="text-sm">
                <span className="text-emerald-700">
                  {t("rubric.diff.addedCount", { count: diff.items.added.length })}
                </span>{" "}
                ·{" "}
                <span className="text-red-700">
                  {t("rubric.diff.removedCount", { count: diff.items.removed.length })}
                </span>{" "}
                ·{" "}
                <span className="text-amber-700">
                  {t("rubric.diff.changedCount", { count: diff.items.changed.length })}
                </span>
              </p>
            </div>
          </div>
          {diff.empty ? (
            <p className="card text-sm text-slate-600">{t("rubric.diff.empty")}</p>
          ) : null}

          <Section title={t("rubric.diff.meta")} count={diff.meta.length} testId="diff-meta">
            <ul className="space-y-1 text-sm">
              {diff.meta.map((m) => (
                <li key={m.field}>
                  <span className="text-slate-500">{t(`rubric.diff.metaField.${m.field}`)}：</span>
                  <Before>{m.before || "—"}</Before> → <After>{m.after || "—"}</After>
                </li>
              ))}
            </ul>
          </Section>

          <Section
            title={t("rubric.detail.levels")}
            count={
              diff.levels.added.length + diff.levels.removed.length + diff.levels.changed.length
            }
            testId="diff-levels"
          >
            <ul className="space-y-1 text-sm">
              {diff.levels.changed.map((c) => (
                <li key={c.key} data-level={c.key}>
                  <span className="font-medium">{pickText(c.after.name, locale)}</span>
                  {c.fields.includes("minScore") ? (
                    <>
                      {" "}
                      {t("rubric.detail.minScore")}：<Before>{c.before.minScore}</Before> →{" "}
                      <After>{c.after.minScore}</After>
                    </>
                  ) : null}
                  {c.fields.includes("name") ? (
                    <>
                      {" "}
                      {t("rubric.editor.levelName")}：
                      <Before>{pickText(c.before.name, locale)}</Before> →{" "}
                      <After>{pickText(c.after.name, locale)}</After>
                    </>
                  ) : null}
                </li>
              ))}
              {diff.levels.added.map((l) => (
                <li key={`a-${l.key}`}>
                  <After>
                    + {pickText(l.name, locale)} ≥ {l.minScore}
                  </After>
                </li>
              ))}
              {diff.levels.removed.map((l) => (
                <li key={`r-${l.key}`}>
                  <Before>
                    − {pickText(l.name, locale)} ≥ {l.minScore}
                  </Before>
                </li>
              ))}
            </ul>
          </Section>

          <Section
            title={t("rubric.detail.performance")}
            count={
              diff.performanceConditions.added.length +
              diff.performanceConditions.removed.length +
              diff.performanceConditions.changed.length
            }
            testId="diff-performance"
          >
            <ul className="space-y-1 text-sm">
              {diff.performanceConditions.changed.map((c) => (
                <li key={c.id}>
                  <Before>
                    {pickText(c.before.text, locale)}（
                    {c.before.failCap === "none"
                      ? t("rubric.detail.failCapNone")
                      : levelName(c.before.failCap)}
                    ）
                  </Before>{" "}
                  →{" "}
                  <After>
                    {pickText(c.after.text, locale)}（
                    {c.after.failCap === "none"
                      ? t("rubric.detail.failCapNone")
                      : levelName(c.after.failCap)}
                    ）
                  </After>
                </li>
              ))}
              {diff.performanceConditions.added.map((c) => (
                <li key={`a-${c.id}`}>
                  <After>+ {pickText(c.text, locale)}</After>
                </li>
              ))}
              {diff.performanceConditions.removed.map((c) => (
                <li key={`r-${c.id}`}>
                  <Before>− {pickText(c.text, locale)}</Before>
                </li>
              ))}
            </ul>
          </Section>

          <Section
            title={t("rubric.diff.structure")}
            count={
              diff.elements.added.length +
              diff.elements.removed.length +
              diff.elements.changed.length +
              diff.subElements.added.length +
              diff.subElements.removed.length +
              diff.subElements.changed.length
            }
            testId="diff-structure"
          >
            <ul className="space-y-1 text-sm">
              {[...diff.elements.added, ...diff.subElements.added].map((g) => (
                <li key={`a-${g.id}`}>
                  <After>
                    + {g.id} {pickText(g.title, locale)}
                  </After>
                </li>
              ))}
              {[...diff.elements.removed, ...diff.subElements.removed].map((g) => (
                <li key={`r-${g.id}`}>
                  <Before>
                    − {g.id} {pickText(g.title, locale)}
                  </Before>
                </li>
              ))}
              {[...diff.elements.changed, ...diff.subElements.changed].map((g) => (
                <li key={`c-${g.id}`}>
                  <span className="font-mono text-xs text-slate-500">{g.id}</span>{" "}
                  {g.title ? (
                    <>
                      <Before>{pickText(g.title.before, locale)}</Before> →{" "}
                      <After>{pickText(g.title.after, locale)}</After>
                    </>
                  ) : null}
                  {g.movedFrom ? (
                    <span className="ml-2 text-slate-600">
                      {t("rubric.diff.moved", { from: g.movedFrom, to: g.parentId ?? "" })}
                    </span>
                  ) : null}
                </li>
              ))}
            </ul>
          </Section>

          <Section
            title={t("rubric.diff.itemsChanged")}
            count={diff.items.changed.length}
            testId="diff-changed"
          >
            <ul className="space-y-2">
              {diff.items.changed.map((item) => (
                <ChangedItem key={item.id} item={item} />
              ))}
            </ul>
          </Section>
          <Section
            title={t("rubric.diff.itemsAdded")}
            count={diff.items.added.length}
            testId="diff-added"
          >
            <ul className="space-y-2">
              {diff.items.added.map((item) => (
                <ItemLine key={item.id} item={item} tone="added" />
              ))}
            </ul>
          </Section>
          <Section
            title={t("rubric.diff.itemsRemoved")}
            count={diff.items.removed.length}
            testId="diff-removed"
          >
            <ul className="space-y-2">
              {diff.items.removed.map((item) => (
                <ItemLine key={item.id} item={item} tone="removed" />
              ))}
            </ul>
          </Section>

          <section className="card overflow-x-auto" data-testid="diff-element-totals">
            <h2 className="mb-2 font-medium text-slate-900">{t("rubric.diff.elementTotals")}</h2>
            <table className="table">
              <thead>
                <tr>
                  <th>{t("rubric.diff.element")}</th>
                  <th className="text-right">{d.parent.label}</th>
                  <th className="text-right">{d.version.label}</th>
                  <th className="text-right">{t("rubric.diff.delta")}</th>
                </tr>
              </thead>
              <tbody>
                {diff.elementTotals.map((row) => {
                  const delta = Math.round(((row.after ?? 0) - (row.before ?? 0)) * 100) / 100;
                  return (
                    <tr key={row.id} className={delta !== 0 ? "bg-amber-50" : ""}>
                      <td>
                        <span className="font-mono text-xs text-slate-500">{row.id}</span>{" "}
                        {pickText(row.title, locale)}
                      </td>
                      <td className="text-right tabular-nums">{row.before ?? "—"}</td>
                      <td className="text-right tabular-nums">{row.after ?? "—"}</td>
                      <td
                        className={`text-right tabular-nums ${delta > 0 ? "text-emerald-700" : delta < 0 ? "text-red-700" : "text-slate-500"}`}
                      >
                        {delta > 0 ? `+${delta}` : delta}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        </div>
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
