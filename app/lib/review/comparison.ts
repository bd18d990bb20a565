/**
 * The item-by-item comparison of the self-assessment and the review (Step 10), pure: shared by the
 * comparison page and its tests. Texts are resolved to one language, so the page carries only it.
 */
import { itemObtained, plainAnswer, textOf } from "~/lib/assessment/answers";
import type { AnswerChoice, Rubric, RubricItem } from "~/lib/rubric/schema";

type StoredAnswerLike = {
  itemId: string;
  choice: AnswerChoice;
  deductions?: Array<{ rule: string; count: number; note?: string }>;
  naReason?: string;
  note?: string;
};
type EvidenceLike = { fileId: { toString(): string }; itemId: string; filename: string };

/** States after the authority's decision on the report (审核). */
export function isDecided(state: string): boolean {
  return state === "approved" || state.startsWith("publicNotice") || state === "certified" || state === "certifiedLowerLevel" || state === "rejected";
}

export type ComparisonFilter = "all" | "diff" | "deductions";

export type AnswerSide = {
  choice: AnswerChoice | null;
  obtained: number | null;
  deductions: Array<{ text: string; count: number; note: string }>;
  naReason: string;
  note: string;
};

export type ComparisonRow = {
  itemId: string;
  elementId: string;
  text: string;
  points: number;
  self: AnswerSide;
  review: AnswerSide;
  differs: boolean;
  deducted: boolean;
  evidence: Array<{ fileId: string; filename: string }>;
};

function side(item: RubricItem, answer: StoredAnswerLike | undefined, locale: string): AnswerSide {
  if (!answer) return { choice: null, obtained: null, deductions: [], naReason: "", note: "" };
  const deductions =
    answer.choice === "partial"
      ? (answer.deductions ?? []).map((d) => ({
          text: textOf(item.deductionRules.find((r) => r.id === d.rule)?.text ?? { zh: d.rule }, locale),
          count: d.count,
          note: d.note ?? "",
        }))
      : [];
  return {
    choice: answer.choice,
    obtained: itemObtained(item, plainAnswer(answer)),
    deductions,
    naReason: answer.choice === "na" ? (answer.naReason ?? "") : "",
    note: answer.note ?? "",
  };
}

/** Every item's row, rubric order (pure: unit-testable and shared with the PDF). */
export function comparisonRows(
  rubric: Rubric,
  self: readonly StoredAnswerLike[],
  review: readonly StoredAnswerLike[],
  evidence: readonly EvidenceLike[],
  locale: string,
): ComparisonRow[] {
  const selfBy = new Map(self.map((a) => [a.itemId, a]));
  const reviewBy = new Map(review.map((a) => [a.itemId, a]));
  const files = new Map<string, Array<{ fileId: string; filename: string }>>();
  for (const e of evidence) {
    const list = files.get(e.itemId) ?? [];
    list.push({ fileId: String(e.fileId), filename: e.filename });
    files.set(e.itemId, list);
  }
  const rows: ComparisonRow[] = [];
  for (const el of rubric.elements) {
    for (const sub of el.subElements) {
      for (const item of sub.items) {
        const s = side(item, selfBy.get(item.id), locale);
        const r = side(item, reviewBy.get(item.id), locale);
        rows.push({
          itemId: item.id,
          elementId: el.id,
          text: textOf(item.text, locale),
          points: item.points,
          self: s,
          review: r,
          differs: s.choice !== r.choice || s.obtained !== r.obtained,
          deducted: r.choice === "none" || r.deductions.length > 0 || (r.obtained !== null && r.obtained < item.points),
          evidence: files.get(item.id) ?? [],
        });
      }
    }
  }
  return rows;
}

export function filterRows(rows: ComparisonRow[], filter: ComparisonFilter): ComparisonRow[] {
  if (filter === "diff") return rows.filter((r) => r.differs);
  if (filter === "deductions") return rows.filter((r) => r.deducted);
  return rows;
}


