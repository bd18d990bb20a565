/** Score presentation shared by the wizard side panel and the summary page. */
import type { Translator } from "~/i18n";
import { textOf } from "~/lib/assessment/answers";
import type { Rubric } from "~/lib/rubric/schema";
import type { ScoreBreakdown, ScoreReason } from "~/lib/scoring/engine";
import { scoreFigures } from "~/lib/scoring/score-figures";

export function levelName(rubric: Rubric, key: string | null, locale: string): string | null {
  if (!key) return null;
  const level = rubric.levels.find((l) => l.key === key);
  return level ? textOf(level.name, locale) : key;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export function reasonText(t: Translator, rubric: Rubric, reason: ScoreReason, locale: string): string {
  const p = reason.params;
  switch (reason.code) {
    case "veto":
      return t("assessment.reason.veto", { items: list(p.itemIds).join("、") });
    case "performance": {
      const names = list(p.conditionIds).map((id) => textOf(rubric.performanceConditions.find((c) => c.id === id)?.text, locale) || id);
      return t("assessment.reason.performance", { conditions: names.join(t("assessment.list.separator")) });
    }
    case "below-threshold":
      return t("assessment.reason.below-threshold", { score: String(p.score ?? ""), minScore: String(p.minScore ?? "") });
    case "unanswered-items":
      return t("assessment.reason.unanswered-items", { count: typeof p.count === "number" ? p.count : 0 });
    case "level-not-allowed":
      return t("assessment.reason.level-not-allowed");
    case "no-applicable-items":
      return t("assessment.reason.no-applicable-items");
  }
}

export function ScoreReasons({ t, rubric, reasons, locale }: { t: Translator; rubric: Rubric; reasons: ScoreReason[]; locale: string }) {
  if (reasons.length === 0) return null;
  return (
    <ul className="space-y-1 text-xs text-slate-600" data-score-reasons>
      {reasons.map((r, i) => (
        <li key={`${r.code}-${i}`} className={r.effect === "info" ? "" : "text-red-700"}>
          {reasonText(t, rubric, r, locale)}
        </li>
      ))}
    </ul>
  );
}

/** Raw and weighted score side by side (one label each); the raw score alone when unweighted. */
export function ScoreFigures({
  t,
  breakdown,
  weighted,
  size,
  testId,
}: {
  t: Translator;
  breakdown: Pick<ScoreBreakdown, "scoreText" | "unweightedScoreText">;
  weighted: boolean;
  size: "lg" | "md";
  testId: string;
}) {
  const figures = scoreFigures(breakdown, weighted);
  return (
    <dl className="flex flex-wrap gap-x-6 gap-y-1" data-testid={`${testId}-figures`}>
      {figures.map((f) => (
        <div key={f.kind} data-score-kind={f.kind}>
          <dt className="text-xs text-slate-500">{t(f.labelKey)}</dt>
          <dd
            className={`${size === "lg" ? "text-3xl" : "text-2xl"} font-semibold text-slate-900`}
            // The figure the level follows keeps the page's established test id.
            data-testid={f.kind === (weighted ? "weighted" : "raw") ? testId : undefined}
          >
            {f.text ?? "—"}
          </dd>
        </div>
      ))}
    </dl>
  );
}
