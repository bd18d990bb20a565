import type { ReactNode } from "react";
import type { MessageKey } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { pickText } from "~/lib/rubric/localize";
import type { DeductionRule, Rubric, RubricItem } from "~/lib/rubric/schema";

/** Read-only views of a rubric: shared by the admin pages and the public criteria page. */

export function StatusBadge({ status }: { status: "draft" | "published" | "archived" }) {
  const t = useT();
  const colour =
    status === "published"
      ? "bg-emerald-100 text-emerald-800"
      : status === "draft"
        ? "bg-amber-100 text-amber-800"
        : "bg-slate-100 text-slate-600";
  return (
    <span className={`badge ${colour}`} data-testid="rubric-status" data-status={status}>
      {t(`rubric.status.${status}`)}
    </span>
  );
}

export function useRuleText(): (rule: Pick<DeductionRule, "per" | "cap">) => string {
  const t = useT();
  return (rule) => {
    if (rule.per === "all") return t("rubric.rule.all");
    const per = t("rubric.rule.per", { per: rule.per });
    return rule.cap === undefined ? per : `${per}，${t("rubric.rule.cap", { cap: rule.cap })}`;
  };
}

function Flags({ item }: { item: RubricItem }) {
  const t = useT();
  const flags: Array<[boolean, MessageKey, string]> = [
    [item.veto, "rubric.item.veto", "bg-red-100 text-red-800"],
    [item.evidenceRequired, "rubric.item.evidenceRequired", "bg-sky-100 text-sky-800"],
    [item.naAllowed, "rubric.item.naAllowed", "bg-slate-100 text-slate-700"],
  ];
  return (
    <>
      {flags
        .filter(([on]) => on)
        .map(([, key, colour]) => (
          <span key={key} className={`badge ${colour}`}>
            {t(key)}
          </span>
        ))}
      {item.tags.map((tag) => (
        <span key={tag} className="badge bg-violet-50 text-violet-700">
          {tag}
        </span>
      ))}
    </>
  );
}

export function ItemView({ item }: { item: RubricItem }) {
  const t = useT();
  const locale = useLocale();
  const ruleText = useRuleText();
  return (
    <li
      className="break-inside-avoid border-t border-slate-100 py-3 first:border-t-0"
      data-item={item.id}
    >
      <div className="flex flex-wrap items-start gap-2">
        <span className="font-mono text-xs text-slate-500">{item.id}</span>
        <p className="min-w-0 flex-1 text-sm text-slate-900">{pickText(item.text, locale)}</p>
        <span className="whitespace-nowrap text-sm font-medium text-slate-900">
          {t("rubric.points", { points: item.points })}
        </span>
      </div>
      <div className="mt-1 flex flex-wrap gap-1">
        <Flags item={item} />
      </div>
      {item.deductionRules.length > 0 ? (
        <ul className="mt-2 space-y-0.5 text-xs text-slate-600">
          {item.deductionRules.map((rule) => (
            <li key={rule.id}>
              <span className="text-slate-800">{pickText(rule.text, locale)}</span>
              <span className="text-slate-500">：{ruleText(rule)}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {item.guidance ? (
        <p className="mt-1 text-xs text-slate-500">
          {t("rubric.item.guidance")}：{pickText(item.guidance, locale)}
        </p>
      ) : null}
    </li>
  );
}

function sumPoints(items: RubricItem[]): number {
  // Points have at most 2 decimals: sum in hundredths so 0.1 + 0.2 prints as 0.3.
  return items.reduce((s, i) => s + Math.round(i.points * 100), 0) / 100;
}

/** Elements → sub-elements → items. `collapsible` folds each element into a <details>. */
export function RubricTree({
  rubric,
  collapsible = false,
}: {
  rubric: Rubric;
  collapsible?: boolean;
}) {
  const t = useT();
  const locale = useLocale();
  return (
    <div className="space-y-3">
      {rubric.elements.map((el) => {
        const items = el.subElements.flatMap((s) => s.items);
        const heading = (
          <span className="inline-flex flex-wrap items-baseline gap-2">
            <span className="font-mono text-sm text-slate-500">{el.id}</span>
            <span className="font-semibold text-slate-900">{pickText(el.title, locale)}</span>
            <span className="text-sm text-slate-500">
              {t("rubric.group.summary", { count: items.length, points: sumPoints(items) })}
            </span>
          </span>
        );
        const body = (
          <div className="mt-2 space-y-4">
            {el.subElements.map((sub) => (
              <section key={sub.id} className="break-inside-avoid-page">
                <h3 className="flex flex-wrap items-baseline gap-2 border-b border-slate-200 pb-1 text-sm font-medium text-slate-800">
                  <span className="font-mono text-xs text-slate-500">{sub.id}</span>
                  {pickText(sub.title, locale)}
                  <span className="text-xs font-normal text-slate-500">
                    {t("rubric.group.summary", {
                      count: sub.items.length,
                      points: sumPoints(sub.items),
                    })}
                  </span>
                </h3>
                <ul>
                  {sub.items.map((item) => (
                    <ItemView key={item.id} item={item} />
                  ))}
                </ul>
              </section>
            ))}
          </div>
        );
        return collapsible ? (
          <details key={el.id} className="card p-4" data-element={el.id}>
            <summary className="cursor-pointer list-item">{heading}</summary>
            {body}
          </details>
        ) : (
          <section key={el.id} className="card p-4" data-element={el.id}>
            <h2>{heading}</h2>
            {body}
          </section>
        );
      })}
    </div>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-wrap gap-x-2 py-1 text-sm">
      <dt className="w-32 shrink-0 text-slate-500">{label}</dt>
      <dd className="min-w-0 flex-1 text-slate-900">{children}</dd>
    </div>
  );
}

/** Standard, applicability, totals, levels and thresholds, veto policy, performance conditions. */
export function RubricOverview({ rubric, itemCount }: { rubric: Rubric; itemCount: number }) {
  const t = useT();
  const locale = useLocale();
  const levelName = (key: string) => {
    const level = rubric.levels.find((l) => l.key === key);
    return level ? pickText(level.name, locale) : key;
  };
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <div className="card">
        <dl>
          <Row label={t("rubric.detail.standard")}>{rubric.standard}</Row>
          <Row label={t("rubric.detail.industries")}>
            {rubric.applicability.industries
              .map((i) => (i === "*" ? t("rubric.detail.allIndustries") : i))
              .join("、")}
          </Row>
          <Row label={t("rubric.detail.sizeClasses")}>
            {rubric.applicability.sizeClasses.map((s) => t(`enterprise.size.${s}`)).join("、")}
          </Row>
          <Row label={t("rubric.detail.totals")}>
            {t("rubric.detail.totalsValue", { points: rubric.totalPoints, items: itemCount })}
          </Row>
          <Row label={t("rubric.detail.vetoPolicy")}>
            {t(`rubric.vetoPolicy.${rubric.vetoPolicy}`)}
          </Row>
        </dl>
        {rubric.description ? (
          <p className="mt-3 text-sm text-slate-600">{pickText(rubric.description, locale)}</p>
        ) : null}
      </div>
      <div className="card">
        <h2 className="text-sm font-medium text-slate-700">{t("rubric.detail.levels")}</h2>
        <table className="table mt-2" data-testid="levels">
          <thead>
            <tr>
              <th>{t("rubric.detail.level")}</th>
              <th>{t("rubric.detail.minScore")}</th>
            </tr>
          </thead>
          <tbody>
            {rubric.levels.map((level) => (
              <tr key={level.key} data-level={level.key}>
                <td>{pickText(level.name, locale)}</td>
                <td>{t("rubric.detail.minScoreValue", { score: level.minScore })}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rubric.performanceConditions.length > 0 ? (
          <>
            <h2 className="mt-4 text-sm font-medium text-slate-700">
              {t("rubric.detail.performance")}
            </h2>
            <ul className="mt-2 space-y-1 text-sm">
              {rubric.performanceConditions.map((c) => (
                <li key={c.id}>
                  {pickText(c.text, locale)}
                  <span className="ml-1 text-xs text-slate-500">
                    （
                    {c.failCap === "none"
                      ? t("rubric.detail.failCapNone")
                      : t("rubric.detail.failCapLevel", { level: levelName(c.failCap) })}
                    ）
                  </span>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    </div>
  );
}
