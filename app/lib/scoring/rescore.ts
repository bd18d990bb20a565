/**
 * Re-scoring stored answers under another rubric version (the "re-score preview" before a tenant
 * publishes a draft). Pure: the data layer fetches, this maps and scores.
 *
 * Answers are matched by item id. What no longer fits the target rubric is not an error here, it
 * is reported: answers to removed items are dropped, an "na" on an item that no longer allows N/A
 * and a "partial" whose deduction rules were all removed become unanswered, deductions citing a
 * removed rule are left out, and items new in the target are simply unanswered.
 */
import {
  MAX_DEDUCTION_COUNT,
  type AnswerDeduction,
  type Answers,
  type ItemAnswer,
  type Rubric,
  type WeightProfile,
} from "../rubric/schema";
import { compileRubric, scoreAssessment } from "./engine";

/** The shape an assessment stores its answers in (models/assessment.ts), without the model import. */
export type StoredAnswerLike = {
  itemId: string;
  choice: "full" | "partial" | "none" | "na";
  deductions?: Array<{ rule?: string | null; count?: number | null; note?: string | null }> | null;
  naReason?: string | null;
  note?: string | null;
};
export type StoredPerformanceLike = { conditionId?: string | null; passed?: boolean | null };

export type AnswerAdjustments = {
  /** Answers to items the target rubric does not have. */
  dropped: number;
  /** Answers that no longer fit their item (N/A not allowed, every cited rule removed). */
  invalidated: number;
  /** Deductions citing a rule the item no longer has. */
  deductionsDropped: number;
};

export function projectAnswers(
  rubric: Rubric,
  stored: readonly StoredAnswerLike[],
  performance: readonly StoredPerformanceLike[] = [],
): { answers: Answers; adjustments: AnswerAdjustments } {
  const compiled = compileRubric(rubric);
  const adjustments: AnswerAdjustments = { dropped: 0, invalidated: 0, deductionsDropped: 0 };
  const map: Record<string, ItemAnswer> = {};
  for (const a of stored) {
    const index = compiled.itemIndex.get(a.itemId);
    const item = index === undefined ? undefined : compiled.items[index];
    if (item === undefined) {
      adjustments.dropped++;
      continue;
    }
    const note = a.note ?? undefined;
    if (a.choice === "full" || a.choice === "none") {
      map[a.itemId] = { choice: a.choice, note };
    } else if (a.choice === "na") {
      if (!item.naAllowed) {
        adjustments.invalidated++;
        continue;
      }
      map[a.itemId] = { choice: "na", naReason: a.naReason?.trim() || "-", note };
    } else {
      const ruleIds = new Set(item.deductionRules.map((r) => r.id));
      const seen = new Set<string>();
      const deductions: AnswerDeduction[] = [];
      for (const d of a.deductions ?? []) {
        const rule = d.rule ?? "";
        if (!ruleIds.has(rule) || seen.has(rule)) {
          adjustments.deductionsDropped++;
          continue;
        }
        seen.add(rule);
        const count = d.count ?? 1;
        if (!Number.isInteger(count) || count < 0 || count > MAX_DEDUCTION_COUNT) {
          adjustments.deductionsDropped++;
          continue;
        }
        deductions.push({ rule, count, note: d.note ?? undefined });
      }
      if (deductions.length === 0) {
        adjustments.invalidated++;
        continue;
      }
      map[a.itemId] = { choice: "partial", deductions, note };
    }
  }
  const conditionIds = new Set(rubric.performanceConditions.map((c) => c.id));
  const facts: Record<string, boolean> = {};
  for (const p of performance) {
    if (p.conditionId && conditionIds.has(p.conditionId) && typeof p.passed === "boolean")
      facts[p.conditionId] = p.passed;
  }
  return { answers: { answers: map, performance: facts }, adjustments };
}

export type ScoreSnapshot = {
  score: number | null;
  scoreText: string | null;
  /** Level granted (after veto, performance and the tenant's grantable levels). */
  level: string | null;
  /** Level the score alone reaches. */
  scoreLevel: string | null;
  eligible: boolean;
  unanswered: number;
};

export function scoreSnapshot(input: {
  rubric: Rubric;
  stored: readonly StoredAnswerLike[];
  performance?: readonly StoredPerformanceLike[];
  weights?: WeightProfile | null;
  levelsAllowed?: readonly string[] | null;
}): { snapshot: ScoreSnapshot; adjustments: AnswerAdjustments } {
  const { answers, adjustments } = projectAnswers(input.rubric, input.stored, input.performance);
  const result = scoreAssessment({
    rubric: input.rubric,
    answers,
    weights: input.weights ?? null,
    levelsAllowed: input.levelsAllowed ?? null,
    maxCandidates: 0,
  });
  return {
    snapshot: {
      score: result.score,
      scoreText: result.scoreText,
      level: result.level,
      scoreLevel: result.scoreLevel,
      eligible: result.eligible,
      unanswered: result.counts.unanswered,
    },
    adjustments,
  };
}

/** new − old in score points, exact to the 1 decimal both are rounded to; null when either has no score. */
export function scoreDelta(before: number | null, after: number | null): number | null {
  if (before === null || after === null) return null;
  return (Math.round(after * 10) - Math.round(before * 10)) / 10;
}
