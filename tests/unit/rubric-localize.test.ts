import { describe, expect, it } from "vitest";
import { localizeDeep, pickText } from "~/lib/rubric/localize";

describe("localizeDeep (rubric texts sent to the browser)", () => {
  const rubric = {
    key: "r",
    title: { zh: "通用", en: "General" },
    elements: [
      {
        id: "E1",
        title: { zh: "目标", en: "Objectives" },
        subElements: [{ items: [{ id: "E1.1.1", points: 5, text: { zh: "只有中文" }, deductionRules: [{ id: "a", text: { zh: "未建立", en: "None" }, per: "all" }] }] }],
      },
    ],
    levels: [{ key: "1", minScore: 90 }],
  };

  it("keeps only the reader's language, as { zh }, and every other value as it was", () => {
    const en = localizeDeep(rubric, "en");
    expect(en.title).toEqual({ zh: "General" });
    expect(en.elements[0]?.subElements[0]?.items[0]?.text).toEqual({ zh: "只有中文" });
    expect(en.elements[0]?.subElements[0]?.items[0]?.deductionRules[0]).toEqual({ id: "a", text: { zh: "None" }, per: "all" });
    expect(en.levels).toEqual(rubric.levels);
    const zh = localizeDeep(rubric, "zh-CN");
    expect(zh.elements[0]?.title).toEqual({ zh: "目标" });
    // The localized text shows the same in either locale.
    expect(pickText(en.title, "en")).toBe("General");
    expect(pickText(zh.title, "en")).toBe("通用");
    expect(JSON.stringify(zh)).not.toContain("Objectives");
    expect(localizeDeep(null, "en")).toBeNull();
  });
});
