import { describe, expect, it } from "vitest";
import { assessment } from "../../app/i18n/messages/assessment";
import { scoreFigures } from "../../app/lib/scoring/score-figures";

describe("score figures on the score pages (raw and weighted side by side)", () => {
  const breakdown = { scoreText: "82.4", unweightedScoreText: "80.1" };

  it("shows the raw and the weighted score, each with its own label, when a weight profile applies", () => {
    expect(scoreFigures(breakdown, true)).toEqual([
      { kind: "raw", labelKey: "assessment.score.raw", text: "80.1" },
      { kind: "weighted", labelKey: "assessment.score.weighted", text: "82.4" },
    ]);
  });

  it("shows the raw score alone without a profile", () => {
    expect(scoreFigures({ scoreText: "80.1", unweightedScoreText: "80.1" }, false)).toEqual([{ kind: "raw", labelKey: "assessment.score.raw", text: "80.1" }]);
  });

  const zh: Record<string, string> = assessment["zh-CN"];
  const en: Record<string, string> = assessment.en;

  it("has one clear label for each in both languages", () => {
    expect(zh["assessment.score.raw"]).toBe("原始得分（未加权）");
    expect(zh["assessment.score.weighted"]).toBe("加权得分");
    expect(en["assessment.score.raw"]).toBe("Raw score (unweighted)");
    expect(en["assessment.score.weighted"]).toBe("Weighted score");
  });
});
