/**
 * The self-assessment answer rules shared by the wizard (browser) and the save action (server):
 * what an item answer may contain, the form shape of one item, and how stored answers become the
 * scoring engine's input. Pure, so both sides reject exactly the same input with the same
 * messages (i18n keys, see ~/lib/validation `msg`).
 *
 * Stricter than the file format's `validateAnswers` on purpose, because this is hand input:
 * a "partial" answer must deduct something, and a rule's count may not exceed what can still
 * change the item's points (a count beyond that is a typo, not a finding).
 */
import { z } from "zod";
import { msg } from "~/lib/validation";
import type { AnswerChoice, Answers, DeductionRule, ItemAnswer, Rubric, RubricItem } from "~/lib/rubric/schema";
import { toHundredths } from "~/lib/scoring/decimal";
import { scoreAssessment, type ScoreBreakdown } from "~/lib/scoring/engine";
import type { WeightProfile } from "~/lib/rubric/schema";

export const ANSWER_CHOICES = ["full", "partial", "none", "na"] as const satisfies readonly AnswerChoice[];
export const MAX_TEXT = 2000;
/** One save carries at most this many item changes (the largest rubrics have ~200 items). */
export const MAX_CHANGES_PER_SAVE = 1000;

/** An answer as the browser sees it: the answer itself plus who/when and the carried-over flag. */
export type AnswerView = {
  itemId: string;
  choice: AnswerChoice;
  deductions?: Array<{ rule: string; count: number; note?: string }>;
  naReason?: string;
  note?: string;
  carriedOver: boolean;
  /** Document version at which this answer was written. */
  rev: number;
  updatedAt: string | null;
  updatedBy: string | null;
};

export type PerformanceView = { conditionId: string; passed: boolean; note?: string };

/** Field errors of one item: `choice`, `naReason`, `note`, `deductions`, `counts.<rule index>`. */
export type ItemErrors = Record<string, string>;

// ---------------------------------------------------------------------------------------------
// Bounds

/** The largest count of a rule that can still change the item's points ("all" rules: 1). */
export function maxDeductionCount(item: Pick<RubricItem, "points">, rule: Pick<DeductionRule, "per" | "cap">): number {
  if (rule.per === "all") return 1;
  const pointsH = toHundredths(item.points);
  const limitH = rule.cap === undefined ? pointsH : Math.min(toHundredths(rule.cap), pointsH);
  return Math.max(1, Math.ceil(limitH / toHundredths(rule.per)));
}

// ---------------------------------------------------------------------------------------------
// Checking one answer (server: raw JSON from the request; browser: the converted form value)

const rawAnswerSchema = z.object({
  choice: z.enum(ANSWER_CHOICES, { error: msg("assessment.errors.choice") }),
  deductions: z
    .array(
      z.object({
        rule: z.string({ error: msg("assessment.errors.unknownRule") }).min(1, { error: msg("assessment.errors.unknownRule") }),
        count: z.unknown().optional(),
        note: z.string().max(MAX_TEXT, { error: msg("errors.tooLong", { max: MAX_TEXT }) }).optional(),
      }),
      { error: msg("assessment.errors.deductionsRequired") },
    )
    .optional(),
  naReason: z.string().max(MAX_TEXT, { error: msg("errors.tooLong", { max: MAX_TEXT }) }).optional(),
  note: z.string().max(MAX_TEXT, { error: msg("errors.tooLong", { max: MAX_TEXT }) }).optional(),
});

function firstErrors(error: z.ZodError): ItemErrors {
  const out: ItemErrors = {};
  for (const issue of error.issues) {
    const [head] = issue.path;
    const field = head === "deductions" ? "deductions" : typeof head === "string" ? head : "choice";
    out[field] ??= issue.message;
  }
  return out;
}

function trimmed(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t ? t : undefined;
}

/**
 * Validates one answer against its item. Unknown keys are ignored (the carried-over flag and
 * bookkeeping fields are the server's own business), blank texts are dropped, and the result is
 * the clean answer that is stored and scored.
 */
export function checkItemAnswer(item: RubricItem, raw: unknown): { ok: true; answer: ItemAnswer } | { ok: false; errors: ItemErrors } {
  const parsed = rawAnswerSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: firstErrors(parsed.error) };
  const value = parsed.data;
  const errors: ItemErrors = {};
  const note = trimmed(value.note);

  if (value.choice === "full") return { ok: true, answer: note ? { choice: "full", note } : { choice: "full" } };
  if (value.choice === "none") return { ok: true, answer: note ? { choice: "none", note } : { choice: "none" } };
  if (value.choice === "na") {
    if (!item.naAllowed) errors.choice = msg("assessment.errors.naNotAllowed");
    const naReason = trimmed(value.naReason);
    if (!naReason) errors.naReason = msg("assessment.errors.naReasonRequired");
    if (Object.keys(errors).length > 0 || !naReason) return { ok: false, errors };
    return { ok: true, answer: note ? { choice: "na", naReason, note } : { choice: "na", naReason } };
  }

  const deductions: Array<{ rule: string; count: number; note?: string }> = [];
  const seen = new Set<string>();
  for (const d of value.deductions ?? []) {
    const index = item.deductionRules.findIndex((r) => r.id === d.rule);
    const rule = item.deductionRules[index];
    if (rule === undefined || seen.has(d.rule)) {
      errors.deductions ??= msg("assessment.errors.unknownRule");
      continue;
    }
    seen.add(d.rule);
    const count = d.count === undefined ? 1 : d.count;
    const field = `counts.${index}`;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
      errors[field] = msg("assessment.errors.count");
      continue;
    }
    const max = maxDeductionCount(item, rule);
    if (count > max) {
      errors[field] = msg("assessment.errors.countTooHigh", { max });
      continue;
    }
    if (count === 0) continue;
    const dNote = trimmed(d.note);
    deductions.push(dNote ? { rule: rule.id, count, note: dNote } : { rule: rule.id, count });
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (deductions.length === 0) {
    return {
      ok: false,
      errors: { deductions: msg(item.deductionRules.length === 0 ? "assessment.errors.noRules" : "assessment.errors.deductionsRequired") },
    };
  }
  // Rubric order, so the same findings always produce the same stored answer.
  deductions.sort(
    (a, b) => item.deductionRules.findIndex((r) => r.id === a.rule) - item.deductionRules.findIndex((r) => r.id === b.rule),
  );
  return { ok: true, answer: note ? { choice: "partial", deductions, note } : { choice: "partial", deductions } };
}

// ---------------------------------------------------------------------------------------------
// The form shape of one item (react-hook-form); ids never appear in field names (they contain dots)

export type ItemFormValue = {
  choice: "" | AnswerChoice;
  /** One entry per deduction rule of the item, in rubric order ("all" rules: "0" or "1"). */
  counts: string[];
  ruleNotes: string[];
  naReason: string;
  note: string;
};

export function emptyFormValue(item: RubricItem): ItemFormValue {
  return {
    choice: "",
    counts: item.deductionRules.map(() => "0"),
    ruleNotes: item.deductionRules.map(() => ""),
    naReason: "",
    note: "",
  };
}

export function formValueFromAnswer(item: RubricItem, answer: Pick<AnswerView, "choice" | "deductions" | "naReason" | "note"> | null | undefined): ItemFormValue {
  const value = emptyFormValue(item);
  if (!answer) return value;
  value.choice = answer.choice;
  value.note = answer.note ?? "";
  if (answer.choice === "na") value.naReason = answer.naReason ?? "";
  if (answer.choice === "partial") {
    for (const d of answer.deductions ?? []) {
      const index = item.deductionRules.findIndex((r) => r.id === d.rule);
      if (index < 0) continue;
      value.counts[index] = String(d.count);
      value.ruleNotes[index] = d.note ?? "";
    }
  }
  return value;
}

/**
 * The answer a form value stands for: `null` = unanswered. Fields the chosen option does not use
 * (counts when "full" is chosen, …) are ignored, so switching back and forth loses nothing typed.
 */
export function answerFromFormValue(
  item: RubricItem,
  value: ItemFormValue,
): { ok: true; answer: ItemAnswer | null } | { ok: false; errors: ItemErrors } {
  if (value.choice === "") {
    if (value.note.trim() !== "") return { ok: false, errors: { choice: msg("assessment.errors.choiceFirst") } };
    return { ok: true, answer: null };
  }
  const countErrors: ItemErrors = {};
  const deductions: Array<{ rule: string; count: number; note?: string }> = [];
  if (value.choice === "partial") {
    item.deductionRules.forEach((rule, i) => {
      const text = (value.counts[i] ?? "").trim();
      if (text === "" || text === "0") return;
      if (!/^\d+$/.test(text)) {
        countErrors[`counts.${i}`] = msg("assessment.errors.count");
        return;
      }
      deductions.push({ rule: rule.id, count: Number(text), note: value.ruleNotes[i] ?? "" });
    });
  }
  const checked = checkItemAnswer(item, {
    choice: value.choice,
    deductions,
    naReason: value.naReason,
    note: value.note,
  });
  if (Object.keys(countErrors).length > 0) return { ok: false, errors: { ...countErrors, ...(checked.ok ? {} : checked.errors) } };
  return checked;
}

/** Two answers are the same finding (bookkeeping fields aside). */
export function sameAnswer(a: Pick<AnswerView, "choice" | "deductions" | "naReason" | "note"> | ItemAnswer | null | undefined, b: Pick<AnswerView, "choice" | "deductions" | "naReason" | "note"> | ItemAnswer | null | undefined): boolean {
  return canonicalAnswer(a) === canonicalAnswer(b);
}

function canonicalAnswer(a: Pick<AnswerView, "choice" | "deductions" | "naReason" | "note"> | ItemAnswer | null | undefined): string {
  if (!a) return "null";
  const deductions = "deductions" in a && a.deductions ? a.deductions.map((d) => [d.rule, d.count ?? 1, d.note ?? ""]) : [];
  const naReason = "naReason" in a ? (a.naReason ?? "") : "";
  return JSON.stringify([a.choice, a.choice === "partial" ? deductions : [], a.choice === "na" ? naReason : "", a.note ?? ""]);
}

export function sameFormValue(a: ItemFormValue, b: ItemFormValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Strips bookkeeping fields: what the engine and `sameAnswer` look at. */
export function plainAnswer(a: Pick<AnswerView, "choice" | "deductions" | "naReason" | "note">): ItemAnswer {
  switch (a.choice) {
    case "full":
      return a.note ? { choice: "full", note: a.note } : { choice: "full" };
    case "none":
      return a.note ? { choice: "none", note: a.note } : { choice: "none" };
    case "na":
      return a.note ? { choice: "na", naReason: a.naReason ?? "", note: a.note } : { choice: "na", naReason: a.naReason ?? "" };
    case "partial": {
      const deductions = (a.deductions ?? []).map((d) => (d.note ? { rule: d.rule, count: d.count, note: d.note } : { rule: d.rule, count: d.count }));
      return a.note ? { choice: "partial", deductions, note: a.note } : { choice: "partial", deductions };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Scoring input: the SAME conversion on both sides, so the live score equals the stored one

export function toScoringAnswers(
  answers: Iterable<Pick<AnswerView, "itemId" | "choice" | "deductions" | "naReason" | "note">>,
  performance: Iterable<Pick<PerformanceView, "conditionId" | "passed">>,
): Answers {
  const entries: Array<[string, ItemAnswer]> = [];
  for (const a of answers) entries.push([a.itemId, plainAnswer(a)]);
  const perf: Array<[string, boolean]> = [];
  for (const p of performance) perf.push([p.conditionId, p.passed]);
  return { answers: Object.fromEntries(entries), performance: Object.fromEntries(perf) };
}

export type ScoreSummary = { score: number | null; level: string | null; eligible: boolean; answered: number; items: number };

/**
 * Self-assessment scoring: the rubric's own levels (no `levelsAllowed`: the enterprise sees the
 * level its answers reach; which authority may grant it is decided at application time).
 */
export function scoreSelfAssessment(input: {
  rubric: Rubric;
  answers: Answers;
  weights: WeightProfile | null;
  maxCandidates?: number;
}): ScoreBreakdown {
  return scoreAssessment({ rubric: input.rubric, answers: input.answers, weights: input.weights, maxCandidates: input.maxCandidates });
}

export function summaryOf(breakdown: ScoreBreakdown): ScoreSummary {
  return {
    score: breakdown.score,
    level: breakdown.level,
    eligible: breakdown.eligible,
    answered: breakdown.counts.answered + breakdown.counts.na,
    items: breakdown.counts.items,
  };
}

// ---------------------------------------------------------------------------------------------
// Rubric helpers

export function rubricItems(rubric: Rubric): RubricItem[] {
  const out: RubricItem[] = [];
  for (const el of rubric.elements) for (const sub of el.subElements) out.push(...sub.items);
  return out;
}

export function itemElementIds(rubric: Rubric): Map<string, string> {
  const out = new Map<string, string>();
  for (const el of rubric.elements) for (const sub of el.subElements) for (const item of sub.items) out.set(item.id, el.id);
  return out;
}

/**
 * Points one item obtains with this answer (display only; the engine computes the score).
 * Null: not applicable or unanswered.
 */
export function itemObtained(item: RubricItem, answer: ItemAnswer | null): number | null {
  if (!answer || answer.choice === "na") return null;
  if (answer.choice === "full") return item.points;
  if (answer.choice === "none") return 0;
  const pointsH = toHundredths(item.points);
  let lostH = 0;
  for (const d of answer.deductions) {
    const rule = item.deductionRules.find((r) => r.id === d.rule);
    if (!rule || d.count === 0) continue;
    let dedH = rule.per === "all" ? pointsH : toHundredths(rule.per) * d.count;
    if (rule.cap !== undefined) dedH = Math.min(dedH, toHundredths(rule.cap));
    lostH += dedH;
  }
  return Math.max(0, pointsH - lostH) / 100;
}

/** Localized rubric text: English when asked for and written, else Chinese. */
export function textOf(text: { zh: string; en?: string } | undefined, locale: string): string {
  if (!text) return "";
  return locale === "en" && text.en ? text.en : text.zh;
}
