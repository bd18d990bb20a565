/**
 * Every shipped rubric has English for every item, deduction rule and performance condition
 * (issue 17: only 28 of 135 items of the general rubric and no deduction rule had English).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { validateRubric } from "~/lib/rubric/schema";
import { withoutEnglish } from "~/lib/rubric/localize";

const DIR = path.resolve(import.meta.dirname, "../../rubrics");
const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));

/** Paths of the texts a reader sees, with no (or blank) English, or English that is only Chinese. */
function missingEnglish(file: string): string[] {
  const parsed = validateRubric(JSON.parse(readFileSync(path.join(DIR, file), "utf8")), file);
  if (!parsed.ok) throw new Error(`${file}: ${parsed.errors.join("; ")}`);
  const rubric = parsed.value;
  const missing: string[] = [];
  const check = (where: string, text: { zh: string; en?: string }) => {
    const en = text.en?.trim() ?? "";
    if (en === "" || /[\u4e00-\u9fff]/.test(en)) missing.push(where);
  };
  for (const c of rubric.performanceConditions) check(`condition ${c.id}`, c.text);
  for (const e of rubric.elements)
    for (const s of e.subElements)
      for (const item of s.items) {
        check(`item ${item.id}`, item.text);
        for (const r of item.deductionRules) check(`rule ${item.id}/${r.id}`, r.text);
      }
  return missing;
}

describe("shipped rubrics have English text", () => {
  it("finds the shipped rubrics", () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  for (const file of files) {
    it(`${file}: every item, deduction rule and performance condition`, () => {
      expect(missingEnglish(file)).toEqual([]);
    });
  }

  it("withoutEnglish keeps everything but the English", () => {
    const value = { id: "E1", text: { zh: "甲", en: "A" }, points: 5, rules: [{ text: { zh: "乙" }, per: "all" }], note: { en: "x", other: 1 } };
    expect(withoutEnglish(value)).toEqual({ id: "E1", text: { zh: "甲" }, points: 5, rules: [{ text: { zh: "乙" }, per: "all" }], note: { en: "x", other: 1 } });
  });
});
