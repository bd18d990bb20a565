import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  answerFromFormValue,
  checkItemAnswer,
  formValueFromAnswer,
  itemObtained,
  maxDeductionCount,
  sameAnswer,
  scoreSelfAssessment,
  toScoringAnswers,
} from "../../app/lib/assessment/answers";
import { accidentRecordFromForm, checkAccidentRecord, declarationHints, performanceFromAccidents } from "../../app/lib/assessment/accidents";
import { validateRubric, type ItemAnswer, type Rubric, type RubricItem } from "../../app/lib/rubric/schema";

function rubric(): Rubric {
  const result = validateRubric(
    {
      $schemaVersion: 1,
      key: "unit",
      version: "1",
      title: { zh: "单元测试" },
      standard: "GB/T 33000-2016",
      applicability: { industries: ["*"], sizeClasses: ["micro"] },
      totalPoints: 20.5,
      levels: [{ key: "qualified", name: { zh: "达标" }, minScore: 60 }],
      vetoPolicy: "ineligible",
      elements: [
        {
          id: "E1",
          title: { zh: "一" },
          subElements: [
            {
              id: "E1.1",
              title: { zh: "一一" },
              items: [
                {
                  id: "E1.1.1",
                  text: { zh: "甲" },
                  points: 10,
                  deductionRules: [
                    { id: "a", text: { zh: "全扣" }, per: "all" },
                    { id: "b", text: { zh: "每处2分" }, per: 2 },
                    { id: "c", text: { zh: "每处0.5分封顶1.5" }, per: 0.5, cap: 1.5 },
                  ],
                  naAllowed: true,
                },
                { id: "E1.1.2", text: { zh: "乙" }, points: 0.5, deductionRules: [{ id: "a", text: { zh: "每处0.5" }, per: 0.5 }] },
                { id: "E1.1.3", text: { zh: "丙" }, points: 10, deductionRules: [], veto: true },
              ],
            },
          ],
        },
      ],
    },
    "unit",
  );
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.value;
}

const r = rubric();
const items = r.elements[0]?.subElements[0]?.items ?? [];
const [big, small, noRules] = items as [RubricItem, RubricItem, RubricItem];

describe("deduction bounds", () => {
  it("allows counts up to what can still change the item's points", () => {
    expect(big.deductionRules.map((rule) => maxDeductionCount(big, rule))).toEqual([1, 5, 3]);
    expect(maxDeductionCount(small, small.deductionRules[0] ?? { per: 1 })).toBe(1);
  });
});

describe("checking one answer", () => {
  it("accepts clean answers and drops blank texts", () => {
    expect(checkItemAnswer(big, { choice: "full", note: "  " })).toEqual({ ok: true, answer: { choice: "full" } });
    expect(checkItemAnswer(big, { choice: "na", naReason: " 无此设备 " })).toEqual({ ok: true, answer: { choice: "na", naReason: "无此设备" } });
    expect(checkItemAnswer(big, { choice: "partial", deductions: [{ rule: "c", count: 3, note: "x" }, { rule: "b" }] })).toEqual({
      ok: true,
      answer: { choice: "partial", deductions: [{ rule: "b", count: 1 }, { rule: "c", count: 3, note: "x" }] },
    });
  });

  it("names the field that is wrong", () => {
    const errors = (raw: unknown, item: RubricItem = big) => {
      const result = checkItemAnswer(item, raw);
      return result.ok ? null : result.errors;
    };
    expect(errors({ choice: "na" })).toEqual({ naReason: "assessment.errors.naReasonRequired" });
    expect(errors({ choice: "na", naReason: "x" }, small)).toEqual({ choice: "assessment.errors.naNotAllowed" });
    expect(errors({ choice: "partial", deductions: [{ rule: "zz", count: 1 }] })).toEqual({ deductions: "assessment.errors.unknownRule" });
    expect(errors({ choice: "partial", deductions: [{ rule: "b", count: 1 }, { rule: "b", count: 1 }] })).toEqual({ deductions: "assessment.errors.unknownRule" });
    expect(errors({ choice: "partial", deductions: [{ rule: "b", count: -1 }] })).toEqual({ "counts.1": "assessment.errors.count" });
    expect(errors({ choice: "partial", deductions: [{ rule: "b", count: "2" }] })).toEqual({ "counts.1": "assessment.errors.count" });
    expect(errors({ choice: "partial", deductions: [{ rule: "c", count: 4 }] })).toEqual({ "counts.2": "assessment.errors.countTooHigh?max=3" });
    expect(errors({ choice: "partial", deductions: [{ rule: "b", count: 0 }] })).toEqual({ deductions: "assessment.errors.deductionsRequired" });
    expect(errors({ choice: "partial", deductions: [] }, noRules)).toEqual({ deductions: "assessment.errors.noRules" });
    expect(errors({ choice: "yes" })).toEqual({ choice: "assessment.errors.choice" });
    expect(errors({ choice: "full", note: "x".repeat(2001) })).toEqual({ note: "errors.tooLong?max=2000" });
  });
});

/** Valid answers for an item, as the wizard could produce them. */
function answerFor(item: RubricItem): fc.Arbitrary<ItemAnswer> {
  const note = fc.option(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim() === s && s !== ""), { nil: undefined });
  const choices: Array<fc.Arbitrary<ItemAnswer>> = [
    note.map((n): ItemAnswer => (n ? { choice: "full", note: n } : { choice: "full" })),
    note.map((n): ItemAnswer => (n ? { choice: "none", note: n } : { choice: "none" })),
  ];
  if (item.naAllowed) choices.push(fc.constantFrom("无此类设备", "不涉及").map((naReason): ItemAnswer => ({ choice: "na", naReason })));
  if (item.deductionRules.length > 0) {
    choices.push(
      fc
        .tuple(...item.deductionRules.map((rule) => fc.integer({ min: 0, max: maxDeductionCount(item, rule) })))
        .filter((counts) => counts.some((c) => c > 0))
        .map((counts): ItemAnswer => ({
          choice: "partial",
          deductions: item.deductionRules.flatMap((rule, i) => ((counts[i] ?? 0) > 0 ? [{ rule: rule.id, count: counts[i] ?? 0 }] : [])),
        })),
    );
  }
  return fc.oneof(...choices);
}

describe("form values and answers", () => {
  it("round-trips every valid answer through the form shape", () => {
    for (const item of items) {
      fc.assert(
        fc.property(answerFor(item), (answer) => {
          const back = answerFromFormValue(item, formValueFromAnswer(item, answer));
          expect(back.ok).toBe(true);
          if (back.ok) expect(sameAnswer(back.answer, answer)).toBe(true);
          expect(checkItemAnswer(item, answer).ok).toBe(true);
        }),
      );
    }
  });

  it("shows per-item points that add up to what the engine scores", () => {
    fc.assert(
      fc.property(fc.tuple(answerFor(big), answerFor(small), answerFor(noRules)), (answers) => {
        const entries = items.map((item, i) => ({ itemId: item.id, ...(answers[i] as ItemAnswer) }));
        const breakdown = scoreSelfAssessment({ rubric: r, weights: null, answers: toScoringAnswers(entries, []) });
        const sum = items.reduce((acc, item, i) => acc + Math.round((itemObtained(item, answers[i] ?? null) ?? 0) * 100), 0) / 100;
        expect(breakdown.elements[0]?.obtained).toBe(sum);
      }),
    );
  });
});

describe("the accident record", () => {
  const today = "2026-03-15";
  const row = { occurredOn: "2025-12-01", accidentClass: "general", deaths: "0", seriousInjuries: "1", directLossWan: "0.1", reportedOnTime: "yes", description: "" };

  it("accepts a record from the form and normalises numbers", () => {
    expect(accidentRecordFromForm({ status: "", accidents: [] }, today)).toEqual({ ok: true, record: null });
    expect(accidentRecordFromForm({ status: "none", accidents: [] }, today)).toEqual({ ok: true, record: { none: true, accidents: [] } });
    expect(accidentRecordFromForm({ status: "some", accidents: [{ ...row, accidentClass: "general", reportedOnTime: "yes" }] }, today)).toEqual({
      ok: true,
      record: { none: false, accidents: [{ occurredOn: "2025-12-01", accidentClass: "general", deaths: 0, seriousInjuries: 1, directLossWan: 0.1, reportedOnTime: true }] },
    });
  });

  it("rejects bad rows field by field (money with a comma, impossible dates, the future)", () => {
    const result = checkAccidentRecord({ none: false, accidents: [{ ...row, occurredOn: "2025-02-30", directLossWan: "1,5", deaths: "x" }] }, today);
    expect(result).toEqual({
      ok: false,
      errors: {
        "accidents.0.occurredOn": "assessment.accidents.errors.date",
        "accidents.0.deaths": "assessment.errors.count",
        "accidents.0.directLossWan": "assessment.accidents.errors.loss",
      },
    });
    expect(checkAccidentRecord({ none: false, accidents: [{ ...row, occurredOn: "2026-03-16" }] }, today)).toMatchObject({
      errors: { "accidents.0.occurredOn": "assessment.accidents.errors.future" },
    });
    expect(checkAccidentRecord({ none: false, accidents: [] }, today)).toMatchObject({ errors: { status: "assessment.accidents.errors.atLeastOne" } });
    expect(checkAccidentRecord({ none: true, accidents: [row] }, today)).toMatchObject({ ok: false });
  });

  it("points out declarations the record contradicts, only within the last 12 months", () => {
    const record = (deaths: number, occurredOn: string, seriousInjuries = 0, directLossWan = 0) => ({
      none: false,
      accidents: [{ occurredOn, accidentClass: "general" as const, deaths, seriousInjuries, directLossWan, reportedOnTime: true }],
    });
    const declared = new Map([
      ["no-fatal-12m", true],
      ["no-major-injury-loss-12m", true],
    ]);
    expect(declarationHints(record(1, "2025-04-01"), declared, today).map((h) => h.conditionId)).toEqual(["no-fatal-12m"]);
    expect(declarationHints(record(1, "2025-03-01"), declared, today)).toEqual([]);
    expect(declarationHints(record(0, "2026-01-01", 3), declared, today).map((h) => h.conditionId)).toEqual(["no-major-injury-loss-12m"]);
    expect(declarationHints(record(0, "2026-01-01", 0, 100), declared, today).map((h) => h.conditionId)).toEqual(["no-major-injury-loss-12m"]);
    expect(declarationHints(record(1, "2026-01-01"), new Map([["no-fatal-12m", false]]), today)).toEqual([]);
  });

  it("counts serious injuries and direct loss as totals over the 12 months: two accidents reach the threshold together", () => {
    const acc = (occurredOn: string, seriousInjuries: number, directLossWan: number) => ({
      occurredOn,
      accidentClass: "general" as const,
      deaths: 0,
      seriousInjuries,
      directLossWan,
      reportedOnTime: true,
    });
    const met = (r: { none: boolean; accidents: ReturnType<typeof acc>[] }) => performanceFromAccidents(r, today)?.get("no-major-injury-loss-12m");
    // Each alone is below 3 serious injuries / 100 万元; together they reach it.
    expect(met({ none: false, accidents: [acc("2025-09-01", 2, 0)] })).toBe(true);
    expect(met({ none: false, accidents: [acc("2025-09-01", 2, 0), acc("2026-02-01", 1, 0)] })).toBe(false);
    expect(met({ none: false, accidents: [acc("2025-09-01", 0, 60)] })).toBe(true);
    expect(met({ none: false, accidents: [acc("2025-09-01", 0, 60), acc("2026-02-01", 0, 40)] })).toBe(false);
    expect(met({ none: false, accidents: [acc("2025-09-01", 0, 99.9), acc("2026-02-01", 0, 0.09)] })).toBe(true);
    // One of the two outside the 12 months: no longer reached.
    expect(met({ none: false, accidents: [acc("2025-03-01", 2, 60), acc("2026-02-01", 1, 40)] })).toBe(true);
    // The declaration hint uses the same totals.
    const declared = new Map([["no-major-injury-loss-12m", true]]);
    expect(declarationHints({ none: false, accidents: [acc("2025-09-01", 2, 0), acc("2026-02-01", 1, 0)] }, declared, today).map((h) => h.conditionId)).toEqual([
      "no-major-injury-loss-12m",
    ]);
    expect(performanceFromAccidents({ none: true, accidents: [] }, today)).toEqual(
      new Map([
        ["no-fatal-12m", true],
        ["no-major-injury-loss-12m", true],
      ]),
    );
    expect(performanceFromAccidents(null, today)).toBeNull();
  });
});
