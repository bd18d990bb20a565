/**
 * The shipped hazchem rubric (2025.2): no licence (E1.1.1) or an unfixed major accident hazard
 * (E6.3.3) make the enterprise ineligible whatever the score; its other veto (E1.1.3) still only
 * caps the level at 三级 under the rubric's "lowest-level" policy.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Answers, ItemAnswer, Rubric } from "../../app/lib/rubric/schema";
import { validateRubric } from "../../app/lib/rubric/schema";
import { scoreAssessment } from "../../app/lib/scoring/engine";

function shipped(name: string): Rubric {
  const data: unknown = JSON.parse(readFileSync(path.resolve("rubrics", `${name}.json`), "utf8"));
  const result = validateRubric(data, name);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.value;
}

const rubric = shipped("hazchem-tier@2025.2");
const items = rubric.elements.flatMap((e) => e.subElements.flatMap((s) => s.items));

/** Every item met except the ones named, which are not met at all; every condition passed. */
function sheet(of: Rubric, failing: readonly string[]): Answers {
  const answers: Record<string, ItemAnswer> = {};
  for (const item of of.elements.flatMap((e) => e.subElements.flatMap((s) => s.items)))
    answers[item.id] = failing.includes(item.id) ? { choice: "none" } : { choice: "full" };
  return {
    answers,
    performance: Object.fromEntries(of.performanceConditions.map((c) => [c.id, true])),
  };
}

function scoreFailing(...failing: string[]) {
  return scoreAssessment({ rubric, answers: sheet(rubric, failing) });
}

describe("hazchem-tier@2025.2 vetoes", () => {
  it("keeps the rubric-wide policy and marks exactly the licence and major-hazard vetoes ineligible", () => {
    expect(rubric.vetoPolicy).toBe("lowest-level");
    const own = items.filter((i) => i.vetoPolicy !== undefined).map((i) => [i.id, i.vetoPolicy]);
    expect(own).toEqual([
      ["E1.1.1", "ineligible"],
      ["E6.3.3", "ineligible"],
    ]);
  });

  it("grades a full self-assessment at the best level", () => {
    const b = scoreFailing();
    expect(b.eligible).toBe(true);
    expect(b.level).toBe(rubric.levels[0]?.key);
  });

  it.each(["E1.1.1", "E6.3.3"])("makes the enterprise ineligible when %s fails", (id) => {
    const b = scoreFailing(id);
    expect(b.score).toBeGreaterThanOrEqual(90);
    expect(b.eligible).toBe(false);
    expect(b.level).toBeNull();
    expect(b.reasons).toContainEqual({
      code: "veto",
      effect: "blocks",
      params: { policy: "ineligible", itemIds: [id], level: null },
    });
  });

  it("only caps the level at the lowest one when another veto (E1.1.3) fails", () => {
    const b = scoreFailing("E1.1.3");
    const lowest = rubric.levels.at(-1)?.key ?? null;
    expect(b.eligible).toBe(true);
    expect(b.level).toBe(lowest);
    expect(b.reasons).toContainEqual({
      code: "veto",
      effect: "caps",
      params: { policy: "lowest-level", itemIds: ["E1.1.3"], level: lowest },
    });
  });

  it("leaves the earlier published version unchanged (published versions never change)", () => {
    const old = shipped("hazchem-tier@2025.1");
    const b = scoreAssessment({ rubric: old, answers: sheet(old, ["E1.1.1"]) });
    expect(b.eligible).toBe(true);
  });
});
