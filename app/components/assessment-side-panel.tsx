/**
 * The wizard's side panel: save status, live score and level (computed in the browser with the
 * same engine and inputs as the server), and the element list with progress.
 */
import { Link, NavLink, useLocation, useNavigate, useRouteLoaderData } from "@remix-run/react";
import { grantedLevel } from "~/lib/granted-level";
import type { MouseEvent } from "react";
import { useLocale, useT } from "~/i18n/react";
import { textOf } from "~/lib/assessment/answers";
import { clampPart, partPath, wizardParts } from "~/lib/assessment/element-parts";
import type { Rubric } from "~/lib/rubric/schema";
import { levelName, ScoreFigures, ScoreReasons } from "./assessment-score";
import { useWizard, type DisplayStatus } from "./assessment-wizard";

const STATUS_STYLE: Record<DisplayStatus, string> = {
  saved: "bg-emerald-50 text-emerald-800 border-emerald-200",
  saving: "bg-sky-50 text-sky-800 border-sky-200",
  pending: "bg-amber-50 text-amber-800 border-amber-200",
  incomplete: "bg-amber-50 text-amber-800 border-amber-200",
  conflict: "bg-red-50 text-red-800 border-red-200",
  offline: "bg-slate-100 text-slate-800 border-slate-300",
  error: "bg-red-50 text-red-800 border-red-200",
  session: "bg-red-50 text-red-800 border-red-200",
  locked: "bg-slate-100 text-slate-700 border-slate-300",
};

export function SaveStatus() {
  const t = useT();
  const { status, incompleteCount } = useWizard();
  const text =
    status === "incomplete"
      ? t("assessment.status.incomplete", { count: incompleteCount })
      : t(`assessment.status.${status}`);
  return (
    <p
      role="status"
      aria-live="polite"
      aria-label={t("assessment.status.label")}
      data-testid="save-status"
      data-status={status}
      className={`rounded-md border px-3 py-1.5 text-sm ${STATUS_STYLE[status]}`}
    >
      {text}
    </p>
  );
}

/**
 * Phones only (hidden from lg up): the score, level and save state in one line that stays at the
 * top of the screen while the questions scroll under it, with a jump to the element list (which
 * comes after the questions on a phone).
 */
export function PhoneScoreBar() {
  const t = useT();
  const locale = useLocale();
  const wizard = useWizard();
  const { rubric, breakdown } = wizard;
  const level = levelName(rubric, breakdown.level, locale);
  return (
    <div
      className="sticky top-0 z-30 -mx-4 flex items-center justify-between gap-3 border-b border-slate-200 bg-white/95 px-4 py-2 shadow-sm lg:hidden"
      data-testid="phone-score"
    >
      <p className="text-sm text-slate-700">
        <span className="text-slate-600">{t("assessment.wizard.liveScore")} </span>
        <span className="text-lg font-semibold text-slate-900" data-testid="phone-live-score">
          {breakdown.scoreText ?? t("assessment.wizard.noScore")}
        </span>
        <span className="ml-2 text-slate-600">{level ?? t("assessment.wizard.noLevel")}</span>
      </p>
      <a href="#element-nav" className="shrink-0 text-sm text-brand-700 underline">
        {t("assessment.wizard.elements")}
      </a>
    </div>
  );
}

export function AssessmentSidePanel({ base, weightsTitle }: { base: string; weightsTitle: string | null }) {
  const t = useT();
  const locale = useLocale();
  const navigate = useNavigate();
  const wizard = useWizard();
  const { rubric, breakdown } = wizard;
  const layout = useRouteLoaderData<{ grantableLevels?: string[] }>("routes/t.$slug.assessments.$id");
  const granted = layout?.grantableLevels ? grantedLevel(rubric.levels, breakdown.level, layout.grantableLevels) : breakdown.level;
  const level = levelName(rubric, granted, locale);
  const scoreLevel = granted !== breakdown.level ? levelName(rubric, breakdown.level, locale) : null;
  const answered = breakdown.counts.answered + breakdown.counts.na;

  // The summary is computed from what is saved: save first, then go.
  const toSummary = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    void wizard.flushNow().then(() => navigate(`${base}/summary`));
  };

  return (
    <div className="space-y-4">
      <SaveStatus />
      <section className="card space-y-2" aria-labelledby="live-score-title">
        <h2 id="live-score-title" className="text-sm font-medium text-slate-600">
          {t("assessment.wizard.liveScore")}
        </h2>
        <div aria-live="polite">
          {breakdown.scoreText === null ? (
            <p className="text-3xl font-semibold text-slate-900" data-testid="live-score">
              {t("assessment.wizard.noScore")}
            </p>
          ) : (
            <ScoreFigures t={t} breakdown={breakdown} weighted={weightsTitle !== null} size="md" testId="live-score" />
          )}
        </div>
        <p className="text-sm" data-testid="live-level">
          <span className="text-slate-500">{t("assessment.wizard.levelReached")}</span>
          <span className={level ? "font-medium text-emerald-700" : "text-slate-700"}>{level ?? t("assessment.wizard.noLevel")}</span>
          {scoreLevel ? <span className="block text-xs text-slate-500">{t("assessment.summary.scoreLevel", { level: scoreLevel })}</span> : null}
        </p>
        <p className="text-xs text-slate-500" data-testid="live-progress">
          {t("assessment.wizard.answered", { answered, items: breakdown.counts.items })}
        </p>
        {weightsTitle ? <p className="text-xs text-slate-500">{t("assessment.wizard.weighted", { profile: weightsTitle })}</p> : null}
        <ScoreReasons t={t} rubric={rubric} reasons={breakdown.reasons.filter((r) => r.effect !== "info")} locale={locale} />
      </section>
      <nav id="element-nav" aria-label={t("assessment.wizard.elements")} className="card scroll-mt-16 p-2">
        <ol className="space-y-1 text-sm">
          {rubric.elements.map((el) => (
            <ElementLink key={el.id} base={base} element={el} />
          ))}
          {rubric.performanceConditions.length > 0 ? (
            <li className="border-t border-slate-100 pt-1">
              <NavLink
                to={`${base}/performance`}
                className={({ isActive }) =>
                  `block rounded-md px-2 py-1.5 ${isActive ? "bg-brand-50 font-medium text-brand-800" : "text-slate-700 hover:bg-slate-50"}`
                }
              >
                {t("assessment.wizard.performance")}
              </NavLink>
            </li>
          ) : null}
          <li>
            <NavLink
              to={`${base}/summary`}
              onClick={toSummary}
              className={({ isActive }) =>
                `block rounded-md px-2 py-1.5 ${isActive ? "bg-brand-50 font-medium text-brand-800" : "text-slate-700 hover:bg-slate-50"}`
              }
              data-testid="summary-link"
            >
              {t("assessment.wizard.summary")}
            </NavLink>
          </li>
        </ol>
      </nav>
    </div>
  );
}

type OutlineElement = Rubric["elements"][number];

/** "E4.1" or "E4.3–E4.4": the sub-elements a part holds. */
function subRange(subs: OutlineElement["subElements"]): string {
  const first = subs[0]?.id ?? "";
  const last = subs[subs.length - 1]?.id ?? "";
  return first === last ? first : `${first}–${last}`;
}

/** One element in the outline with its progress; the current element, when large, lists its parts under it. */
function ElementLink({ base, element: el }: { base: string; element: OutlineElement }) {
  const t = useT();
  const locale = useLocale();
  const wizard = useWizard();
  const location = useLocation();
  const parts = wizardParts(el);
  const progress = (subs: OutlineElement["subElements"]) => {
    const items = subs.flatMap((s) => s.items);
    return { done: items.filter((i) => wizard.effectiveAnswer(i.id)).length, total: items.length };
  };
  const { done, total } = progress(el.subElements);
  const here = location.pathname === `${base}/${el.id}`;
  const currentPart = here ? clampPart(new URLSearchParams(location.search).get("part"), parts.length) : 0;
  return (
    <li>
      <NavLink
        to={`${base}/${el.id}`}
        prefetch="intent"
        className={({ isActive }) =>
          `flex items-center justify-between gap-2 rounded-md px-2 py-1.5 ${isActive ? "bg-brand-50 font-medium text-brand-800" : "text-slate-700 hover:bg-slate-50"}`
        }
        data-element-link={el.id}
      >
        <span className="truncate">
          <span className="mr-1 font-mono text-xs text-slate-600">{el.id}</span>
          {textOf(el.title, locale)}
        </span>
        <span className={`shrink-0 text-xs ${done === total ? "text-emerald-700" : "text-slate-600"}`} data-element-progress={el.id}>
          {t("assessment.wizard.elementProgress", { answered: done, items: total })}
        </span>
      </NavLink>
      {here && parts.length > 1 ? (
        <ol className="ml-4 mt-0.5 space-y-0.5 text-xs" aria-label={t("wizardParts.partsOf", { id: el.id })}>
          {parts.map((subs, i) => {
            const part = i + 1;
            const p = progress(subs);
            const active = part === currentPart;
            return (
              <li key={part}>
                <Link
                  to={partPath(base, { elementId: el.id, part })}
                  aria-current={active ? "page" : undefined}
                  className={`flex justify-between gap-2 rounded-md px-2 py-1 ${active ? "bg-brand-50 font-medium text-brand-800" : "text-slate-600 hover:bg-slate-50"}`}
                  data-part-link={`${el.id}:${part}`}
                >
                  <span>{t("wizardParts.partLink", { part, range: subRange(subs) })}</span>
                  <span className={p.done === p.total ? "text-emerald-700" : ""}>
                    {t("assessment.wizard.elementProgress", { answered: p.done, items: p.total })}
                  </span>
                </Link>
              </li>
            );
          })}
        </ol>
      ) : null}
    </li>
  );
}
