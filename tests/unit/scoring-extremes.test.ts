/** The engine at the schema's extremes: the largest points and weights give exact results, never a RangeError. */
import { describe, expect, it } from "vitest";
import {
  MAX_TOTAL_POINTS,
  MAX_WEIGHT,
  validateRubric,
  validateWeightProfile,
} from "~/lib/rubric/schema";
import { scoreAssessment } from "~/lib/scoring/engine";

function rubricWith(bigPoints: number) {
  const result = validateRubric(
    {
      $schemaVersion: 1,
      key: "extreme",
      version: "1",
      title: { zh: "极值评分细则" },
      standard: "GB/T 33000-2016",
      applicability: { industries: ["*"], sizeClasses: ["small", "micro"] },
      totalPoints: bigPoints + 10,
      levels: [
        { key: "level1", name: { zh: "一级" }, minScore: 90 },
        { key: "level3", name: { zh: "三级" }, minScore: 60 },
      ],
      vetoPolicy: "ineligible",
      performanceConditions: [],
      elements: [
        {
          id: "E1",
          title: { zh: "要素一" },
          subElements: [
            {
              id: "E1.1",
              title: { zh: "二级要素" },
              items: [
                {
                  id: "I1",
                  text: { zh: "大条款" },
                  points: bigPoints,
                  deductionRules: [],
                  naAllowed: false,
                  veto: false,
                  tags: [],
                },
                {
                  id: "I2",
                  text: { zh: "小条款" },
                  points: 10,
                  deductionRules: [],
                  naAllowed: false,
                  veto: false,
                  tags: [],
                },
              ],
            },
          ],
        },
      ],
    },
    "extreme",
  );
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.value;
}

describe("scoring at the schema's limits", () => {
  it("an item worth the maximum points under the maximum element weight scores exactly", () => {
    const big = MAX_TOTAL_POINTS - 10;
    const rubric = rubricWith(big);
    const profile = validateWeightProfile(
      {
        $schemaVersion: 1,
        key: "heavy",
        title: { zh: "权重" },
        rules: [{ element: "E1", weight: MAX_WEIGHT }],
      },
      "heavy",
    );
    if (!profile.ok) throw new Error(profile.errors.join("\n"));
    const b = scoreAssessment({
      rubric,
      weights: profile.value,
      answers: { answers: { I1: { choice: "none" }, I2: { choice: "full" } } },
    });
    // 10 of 1,000,000 points: 0.001 % → 0.0; the big item is the way to the next level.
    expect(b.scoreText).toBe("0.0");
    expect(b.toNextLevel?.candidates[0]).toMatchObject({ itemId: "I1", gain: 100 });
  });
});
