/**
 * Issue 13 item 5: the wizard shows a large element in parts of whole sub-elements, at most
 * WIZARD_PART_ITEMS items each (a larger sub-element alone); every item is on exactly one page.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clampPart, neighbours, partOfItem, partPath, wizardParts, wizardSequence, WIZARD_PART_ITEMS } from "../../app/lib/assessment/element-parts";
import { validateRubric, type Rubric } from "../../app/lib/rubric/schema";

function shipped(name: string): Rubric {
  const result = validateRubric(JSON.parse(readFileSync(path.join(__dirname, "../../rubrics", `${name}.json`), "utf8")), name);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.value;
}

const general = shipped("general-tier3@2025.1");
const element = (id: string) => {
  const el = general.elements.find((e) => e.id === id);
  if (!el) throw new Error(id);
  return el;
};

describe("wizard parts", () => {
  it("splits the general rubric's large elements at sub-element boundaries and keeps small ones whole", () => {
    expect(wizardParts(element("E1")).map((p) => p.map((s) => s.id))).toEqual([
      ["E1.1", "E1.2", "E1.3"],
      ["E1.4", "E1.5", "E1.6"],
    ]);
    expect(wizardParts(element("E4")).map((p) => p.map((s) => s.id))).toEqual([["E4.1"], ["E4.2"], ["E4.3", "E4.4"]]);
    expect(wizardParts(element("E8"))).toHaveLength(1);
  });

  it("finds the part of an item and clamps a part from the URL", () => {
    expect(partOfItem(element("E4"), "E4.3.2")).toBe(3);
    expect(partOfItem(element("E4"), "E1.1.1")).toBeNull();
    expect(clampPart(null, 3)).toBe(1);
    expect(clampPart("2", 3)).toBe(2);
    expect(clampPart("9", 3)).toBe(3);
    expect(clampPart("0", 3)).toBe(1);
    expect(clampPart("x", 3)).toBe(1);
  });

  it("walks every page in order, parts inside elements, with old URLs for part 1", () => {
    const seq = wizardSequence(general.elements);
    expect(seq.slice(0, 3)).toEqual([
      { elementId: "E1", part: 1 },
      { elementId: "E1", part: 2 },
      { elementId: "E2", part: 1 },
    ]);
    expect(neighbours(general.elements, { elementId: "E4", part: 1 })).toEqual({
      prev: { elementId: "E3", part: 2 },
      next: { elementId: "E4", part: 2 },
    });
    expect(neighbours(general.elements, seq[seq.length - 1] ?? { elementId: "", part: 0 }).next).toBeNull();
    expect(partPath("/b", { elementId: "E4", part: 1 })).toBe("/b/E4");
    expect(partPath("/b", { elementId: "E4", part: 2 })).toBe("/b/E4?part=2");
  });

  it("puts every item on exactly one part, each part within the limit unless one sub-element is larger", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        const el = {
          id: "E",
          subElements: sizes.map((n, s) => ({ id: `E.${s}`, items: Array.from({ length: n }, (_, i) => ({ id: `E.${s}.${i}` })) })),
        };
        const parts = wizardParts(el);
        const ids = parts.flatMap((p) => p.flatMap((s) => s.items.map((i) => i.id)));
        expect(ids).toEqual(el.subElements.flatMap((s) => s.items.map((i) => i.id)));
        for (const p of parts) {
          const count = p.reduce((n, s) => n + s.items.length, 0);
          expect(count <= WIZARD_PART_ITEMS || p.length === 1).toBe(true);
        }
      }),
    );
  });
});
