import { describe, expect, it } from "vitest";
import { validateRubric, type Rubric, type RubricInput } from "../../app/lib/rubric/schema";
import { projectAnswers, scoreDelta, scoreSnapshot } from "../../app/lib/scoring/rescore";

function rubric(
  input: Partial<RubricInput> & Pick<RubricInput, "elements" | "totalPoints">,
): Rubric {
  const result = validateRubric(
    {
      $schemaVersion: 1,
      key: "t",
      version: "1",
      title: { zh: "测试" },
      standard: "GB/T 33000-2016",
      applicability: { industries: ["*"], sizeClasses: ["small"] },
      levels: [{ key: "pass", name: { zh: "达标" }, minScore: 60 }],
      vetoPolicy: "ineligible",
      performanceConditions: [{ id: "p1", text: { zh: "无事故" }, failCap: "none" }],
      ...input,
    },
    "test",
  );
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.value;
}

const r = rubric({
  totalPoints: 30,
  elements: [
    {
      id: "E1",
      title: { zh: "一" },
      subElements: [
        {
          id: "E1.1",
          title: { zh: "一.一" },
          items: [
            {
              id: "a",
              text: { zh: "a" },
              points: 10,
              deductionRules: [{ id: "x", text: { zh: "x" }, per: 2 }],
            },
            { id: "b", text: { zh: "b" }, points: 10, naAllowed: true },
            { id: "c", text: { zh: "c" }, points: 10 },
          ],
        },
      ],
    },
  ],
});

describe("projecting stored answers onto another rubric version", () => {
  it("keeps what fits, drops answers to unknown items and unknown rules, and says so", () => {
    const { answers, adjustments } = projectAnswers(
      r,
      [
        {
          itemId: "a",
          choice: "partial",
          deductions: [
            { rule: "x", count: 2 },
            { rule: "gone", count: 1 },
          ],
        },
        { itemId: "b", choice: "na", naReason: "无此设备" },
        { itemId: "removed", choice: "full" },
      ],
      [
        { conditionId: "p1", passed: true },
        { conditionId: "old", passed: false },
      ],
    );
    expect(answers).toEqual({
      answers: {
        a: {
          choice: "partial",
          deductions: [{ rule: "x", count: 2, note: undefined }],
          note: undefined,
        },
        b: { choice: "na", naReason: "无此设备", note: undefined },
      },
      performance: { p1: true },
    });
    expect(adjustments).toEqual({ dropped: 1, invalidated: 0, deductionsDropped: 1 });
  });

  it("turns an N/A that is no longer allowed and a partial without any remaining rule into unanswered", () => {
    const { answers, adjustments } = projectAnswers(r, [
      { itemId: "c", choice: "na", naReason: "x" },
      { itemId: "a", choice: "partial", deductions: [{ rule: "gone", count: 1 }] },
    ]);
    expect(answers.answers).toEqual({});
    expect(adjustments).toEqual({ dropped: 0, invalidated: 2, deductionsDropped: 1 });
  });

  it("scores the projection: (6 + 0 + 10) / (30 − 0) × 100 = 53.3, below the 60 threshold", () => {
    const { snapshot } = scoreSnapshot({
      rubric: r,
      stored: [
        { itemId: "a", choice: "partial", deductions: [{ rule: "x", count: 2 }] },
        { itemId: "b", choice: "none" },
        { itemId: "c", choice: "full" },
      ],
    });
    expect(snapshot).toEqual({
      score: 53.3,
      scoreText: "53.3",
      level: null,
      scoreLevel: null,
      eligible: false,
      unanswered: 0,
    });
    const na = scoreSnapshot({
      rubric: r,
      stored: [
        { itemId: "a", choice: "partial", deductions: [{ rule: "x", count: 2 }] },
        { itemId: "b", choice: "na", naReason: "无" },
        { itemId: "c", choice: "full" },
      ],
    });
    // (6 + 10) / 20 × 100 = 80
    expect(na.snapshot).toMatchObject({ score: 80, level: "pass", eligible: true });
  });

  it("computes deltas on the rounded decimals exactly", () => {
    expect(scoreDelta(60.3, 60.1)).toBe(-0.2);
    expect(scoreDelta(59.9, 60)).toBe(0.1);
    expect(scoreDelta(0.3, 0.1)).toBe(-0.2);
    expect(scoreDelta(null, 50)).toBeNull();
  });
});
