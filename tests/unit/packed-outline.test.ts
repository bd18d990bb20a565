/**
 * Decision 028: the wizard layout sends a scoring outline (no item texts) and the answers as
 * packed strings; the browser unpacks them into the same shapes the score is computed from.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packAnswers, packOutline, unpackAnswers, unpackOutline } from "../../app/lib/assessment/packed";
import { scoreSelfAssessment, toScoringAnswers, type AnswerView } from "../../app/lib/assessment/answers";
import { localizeDeep } from "../../app/lib/rubric/localize";
import { itemTexts, scoringOutline } from "../../app/lib/rubric/scoring-outline";
import { validateRubric, type Rubric } from "../../app/lib/rubric/schema";

function shipped(name: string): Rubric {
  const result = validateRubric(JSON.parse(readFileSync(path.join(__dirname, "../../rubrics", `${name}.json`), "utf8")), name);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.value;
}

const RUBRICS = ["general-tier3@2025.1", "hazchem-tier@2025.2", "small-micro@2025.1"].map(shipped);
const items = (r: Rubric) => r.elements.flatMap((e) => e.subElements.flatMap((s) => s.items));

describe("scoring outline", () => {
  it.each(RUBRICS.map((r) => [r.key, r] as const))("%s: keeps every number, id, flag and title, drops item wording", (_key, rubric) => {
    const outline = scoringOutline(rubric);
    expect(outline.description).toBeUndefined();
    expect(items(outline).map((i) => [i.id, i.points, i.naAllowed, i.evidenceRequired, i.veto, i.vetoPolicy, i.tags, i.deductionRules.map((r) => [r.id, r.per, r.cap])])).toEqual(
      items(rubric).map((i) => [i.id, i.points, i.naAllowed, i.evidenceRequired, i.veto, i.vetoPolicy, i.tags, i.deductionRules.map((r) => [r.id, r.per, r.cap])]),
    );
    expect(outline.elements.map((e) => [e.id, e.title, e.subElements.map((s) => s.title)])).toEqual(rubric.elements.map((e) => [e.id, e.title, e.subElements.map((s) => s.title)]));
    expect(items(outline).every((i) => i.text.zh === "" && i.guidance === undefined && i.deductionRules.every((r) => r.text.zh === ""))).toBe(true);
    expect(outline.levels).toEqual(rubric.levels);
    expect(outline.performanceConditions).toEqual(rubric.performanceConditions);
  });

  it.each(RUBRICS.map((r) => [r.key, r] as const))("%s: packs and unpacks to the same outline, in far fewer bytes", (_key, rubric) => {
    const outline = localizeDeep(scoringOutline(rubric), "zh-CN");
    const packed = packOutline(outline);
    expect(unpackOutline(packed)).toEqual(outline);
    expect(packed.length).toBeLessThan(JSON.stringify(outline).length / 2);
  });

  it("itemTexts returns the wording of the asked items only", () => {
    const rubric = RUBRICS[0] as Rubric;
    const [a, b] = items(rubric);
    expect(itemTexts(rubric, [a?.id ?? "", b?.id ?? "", "nope"])).toEqual({ [a?.id ?? ""]: a?.text, [b?.id ?? ""]: b?.text });
  });

  it("a malformed packed outline is refused, not half read", () => {
    expect(() => unpackOutline(JSON.stringify({ head: {}, elements: [["E1", { zh: "x" }, [["E1.1", { zh: "y" }, [["E1.1.1", "five", 0, [], []]]]]]] }))).toThrow();
  });
});

const rubric = RUBRICS[0] as Rubric;
const ids = items(rubric).map((i) => i.id);
const answerArb: fc.Arbitrary<AnswerView> = fc
  .record({
    itemId: fc.constantFrom(...ids),
    choice: fc.constantFrom("full" as const, "partial" as const, "none" as const, "na" as const),
    carriedOver: fc.boolean(),
    rev: fc.nat(),
    updatedAt: fc.option(fc.date({ noInvalidDate: true, min: new Date(2000, 0, 1), max: new Date(2100, 0, 1) }).map((d) => d.toISOString())),
    updatedBy: fc.option(fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 24, maxLength: 24 })),
    note: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
    naReason: fc.string(),
    deductions: fc.array(fc.record({ rule: fc.constantFrom("a", "b"), count: fc.integer({ min: 1, max: 5 }), note: fc.option(fc.string({ minLength: 1 }), { nil: undefined }) })),
  })
  .map(({ naReason, deductions, note, ...a }) => {
    const view: AnswerView = { ...a };
    if (a.choice === "partial") view.deductions = deductions.map((d) => (d.note ? d : { rule: d.rule, count: d.count }));
    if (a.choice === "na") view.naReason = naReason;
    if (note) view.note = note;
    return view;
  });

describe("packed answers", () => {
  it("unpack(pack(answers)) is the same list (property)", () => {
    fc.assert(fc.property(fc.array(answerArb, { maxLength: 40 }), (answers) => {
      expect(unpackAnswers(packAnswers(answers))).toEqual(answers);
    }));
  });

  it("the score from the unpacked outline and answers equals the score from the full rubric", () => {
    fc.assert(
      fc.property(fc.uniqueArray(answerArb, { selector: (a) => a.itemId, maxLength: 60 }), (answers) => {
        const naAllowed = new Set(items(rubric).filter((i) => i.naAllowed).map((i) => i.id));
        const valid = answers
          .filter((a) => a.choice !== "na" || naAllowed.has(a.itemId))
          .map((a) => (a.choice === "partial" ? { ...a, deductions: [] } : a));
        const score = (r: Rubric, list: AnswerView[]) => scoreSelfAssessment({ rubric: r, weights: null, answers: toScoringAnswers(list, []) });
        const unpacked = unpackOutline(packOutline(localizeDeep(scoringOutline(rubric), "zh-CN")));
        // The breakdown quotes item wording (lists the summary renders from the server's breakdown); every figure is equal.
        const figures = (b: unknown) => JSON.parse(JSON.stringify(b, (k, v: unknown) => (k === "text" ? undefined : v))) as unknown;
        expect(figures(score(unpacked, unpackAnswers(packAnswers(valid))))).toEqual(figures(score(localizeDeep(rubric, "zh-CN"), valid)));
        return true;
      }),
      { numRuns: 30 },
    );
  });
});
