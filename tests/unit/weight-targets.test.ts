import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { validateRubric, type Rubric, type WeightProfile } from "~/lib/rubric/schema";
import { describeIssue } from "~/lib/rubric/issues";
import { elementShares, targetsOf, unknownTargets } from "~/lib/rubric/weight-targets";

function shipped(file: string): Rubric {
  const parsed = validateRubric(JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../rubrics", file), "utf8")), file);
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  return parsed.value;
}
const general = shipped("general-tier3@2025.1.json");
const profile = (rules: WeightProfile["rules"]): WeightProfile => ({ $schemaVersion: 1, key: "p", title: { zh: "方案" }, rules });

describe("weight rules checked against the rubrics", () => {
  const targets = targetsOf([general]);

  it("refuses an element, item or tag that no rubric has, and names it in words", () => {
    const issues = unknownTargets(profile([{ element: "E9", weight: 2 }, { element: "E1", weight: 2 }, { item: "E1.1.99", weight: 1 }, { tag: "nope", weight: 1 }]), targets);
    expect(issues.map((i) => i.path)).toEqual(["rules[0].element", "rules[2].item", "rules[3].tag"]);
    expect(describeIssue(issues[0]?.message ?? "")).toEqual({ key: "weights.error.unknownElement", params: { id: "E9" } });
  });

  it("accepts targets that exist", () => {
    const tag = general.elements.flatMap((e) => e.subElements.flatMap((s) => s.items.flatMap((i) => i.tags)))[0] ?? "";
    expect(unknownTargets(profile([{ element: "E8", weight: 2 }, { item: "E1.1.1", weight: 1 }, { tag, weight: 1.5 }]), targets)).toEqual([]);
  });

  it("previews each element's share: a heavier element gains, the others lose, shares still add up", () => {
    const shares = elementShares(general, profile([{ element: "E1", weight: 3 }]));
    const e1 = shares.find((s) => s.id === "E1");
    const e2 = shares.find((s) => s.id === "E2");
    expect(e1 && e1.after > e1.before).toBe(true);
    expect(e2 && e2.after < e2.before).toBe(true);
    expect(shares.reduce((n, s) => n + s.after, 0)).toBeCloseTo(100, 0);
    expect(elementShares(general, profile([])).every((s) => s.before === s.after)).toBe(true);
  });
});
