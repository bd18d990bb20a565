import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { statedTotals, withDescriptionTotal, withStatedTotal } from "~/lib/rubric/description-total";
import { publishImpact, type PublishedRef } from "~/lib/rubric/publish-impact";

describe("the total stated in a rubric description", () => {
  const zh = "工贸企业通用评分细则，满分1000分。最终得分=实得分÷（1000−不适用项分值）×100，一级≥90分、二级≥75分。";
  const en = "General rules; 1000 points. Score = obtained / (1000 − points of N/A items) × 100; Level 1 ≥90, Level 2 ≥75.";

  it("finds every stated total and nothing else", () => {
    expect(statedTotals(zh)).toEqual([1000, 1000]);
    expect(statedTotals(en)).toEqual([1000, 1000]);
    expect(statedTotals("100 points in total (some items in half points).")).toEqual([100]);
    expect(statedTotals("一级≥90分")).toEqual([]);
  });

  it("is generated from the total: 1000 → 1005, thresholds untouched", () => {
    expect(withStatedTotal(zh, 1005)).toBe("工贸企业通用评分细则，满分1005分。最终得分=实得分÷（1005−不适用项分值）×100，一级≥90分、二级≥75分。");
    expect(withStatedTotal(en, 1005)).toBe("General rules; 1005 points. Score = obtained / (1005 − points of N/A items) × 100; Level 1 ≥90, Level 2 ≥75.");
    const rubric = withDescriptionTotal({ totalPoints: 498, description: { zh: "满分500分", en: "500 points." } });
    expect(rubric.description).toEqual({ zh: "满分498分", en: "498 points." });
    expect(withDescriptionTotal({ totalPoints: 7, description: { zh: "说明" } }).description).toEqual({ zh: "说明" });
  });
});

describe("the shipped rubrics state their own total", () => {
  const dir = path.resolve(import.meta.dirname, "../../rubrics");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    it(file, () => {
      const rubric = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as { totalPoints: number; description: { zh: string; en: string } };
      const stated = [...statedTotals(rubric.description.zh), ...statedTotals(rubric.description.en)];
      expect(stated.length).toBeGreaterThanOrEqual(2);
      expect(new Set(stated)).toEqual(new Set([rubric.totalPoints]));
    });
  }
});

describe("what publishing a tenant draft replaces", () => {
  const ref = (over: Partial<PublishedRef>): PublishedRef => ({
    id: "x",
    key: "general-tier3",
    version: "2025.1",
    tenantOwned: false,
    publishedAt: "2026-01-01T00:00:00.000Z",
    industries: ["*"],
    sizeClasses: ["large", "medium"],
    ...over,
  });
  const draft = { key: "general-tier3", industries: ["*"], sizeClasses: ["large", "medium"] };

  it("replaces the shipped version of the same key", () => {
    const system = ref({ id: "sys" });
    const impact = publishImpact(draft, [system, ref({ id: "other", key: "small-micro", sizeClasses: ["small"] })]);
    expect(impact.replaces.map((r) => r.id)).toEqual(["sys"]);
  });

  it("replaces the tenant's latest own version when there is one, not the shipped one", () => {
    const impact = publishImpact(draft, [
      ref({ id: "sys" }),
      ref({ id: "t1", tenantOwned: true, version: "2025.1-chengdu.1", publishedAt: "2026-02-01T00:00:00.000Z" }),
      ref({ id: "t2", tenantOwned: true, version: "2025.1-chengdu.2", publishedAt: "2026-03-01T00:00:00.000Z" }),
    ]);
    expect(impact.replaces.map((r) => r.id)).toEqual(["t2"]);
  });

  it("replaces nothing for a new key or for enterprises the old version did not apply to", () => {
    expect(publishImpact({ ...draft, key: "new-key" }, [ref({ id: "sys" })]).replaces).toEqual([]);
    expect(publishImpact({ ...draft, sizeClasses: ["micro"] }, [ref({ id: "sys" })]).replaces).toEqual([]);
  });
});
