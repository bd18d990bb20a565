/**
 * The score figures a score page shows (DOMAIN.md §3): with a weight profile, the raw score and the
 * weighted score side by side, each with its own label; without one, the raw score alone. The
 * level always follows the weighted figure when there is one (that is what the engine grades).
 */
import type { ScoreBreakdown } from "./engine";

export type ScoreFigure = {
  kind: "raw" | "weighted";
  labelKey: "assessment.score.raw" | "assessment.score.weighted";
  text: string | null;
};

export function scoreFigures(breakdown: Pick<ScoreBreakdown, "scoreText" | "unweightedScoreText">, weighted: boolean): ScoreFigure[] {
  if (!weighted) return [{ kind: "raw", labelKey: "assessment.score.raw", text: breakdown.scoreText }];
  return [
    { kind: "raw", labelKey: "assessment.score.raw", text: breakdown.unweightedScoreText },
    { kind: "weighted", labelKey: "assessment.score.weighted", text: breakdown.scoreText },
  ];
}
