import { describe, expect, it } from "vitest";
import { normalizeForSearch, creditSearchFields } from "~/lib/credit";
import { creditGrams, matchesCreditQuery, pickQueryGram } from "~/lib/credit-grams";

describe("credit registry n-grams", () => {
  it("stores every 1-3 character piece of the name and the 3-character pieces of the code, once each", () => {
    const grams = creditGrams({ name: "蜀新化工", code: "91510100MA6CGUGA1W" });
    for (const g of ["蜀", "新", "化", "工", "蜀新", "新化", "化工", "蜀新化", "新化工", "915", "A1W", "MA6"]) expect(grams).toContain(g);
    expect(grams).not.toContain("蜀新化工");
    // Code pieces shorter than 3 are not stored (a code is looked up whole or by ≥ 3 characters).
    expect(grams).not.toContain("1W");
    expect(new Set(grams).size).toBe(grams.length);
  });

  it("covers every query piece a search may pick, for Chinese, Latin and code queries", () => {
    const search = creditSearchFields("Acme 安全 Trading（成都）有限公司", "91510100MA6CGUGA1W");
    const grams = new Set(creditGrams(search));
    for (const q of ["acme", "ACME安全", "safe", "安", "tr", "(成都)", "91510100MA6", "MA6CG"]) {
      const text = normalizeForSearch(q);
      const codeLike = /^[0-9A-HJ-NP-RTUW-Y]+$/.test(text);
      const gram = pickQueryGram(text, codeLike);
      if (matchesCreditQuery(search, text, codeLike)) expect(grams.has(gram), `${q} → ${gram}`).toBe(true);
    }
  });

  it("picks a gram of min(3, length) characters that avoids the words every company name has", () => {
    expect(pickQueryGram("蜀", false)).toBe("蜀");
    expect(pickQueryGram("蜀新", false)).toBe("蜀新");
    // "有限公司" pieces are in most names; "锦城化" is not.
    expect(pickQueryGram("有限公司锦城化工", false)).toBe("锦城化");
    expect(pickQueryGram("成都锦城化工有限公司", false)).toBe("成都锦");
    // Codes of one region share their start: a code-like query is looked up by its end.
    expect(pickQueryGram("915101007X", true)).toBe("07X");
  });

  it("verifies a candidate by the whole query: name substring, or code prefix from 3 characters", () => {
    const search = { name: "蜀新化工有限公司", code: "91510100MA6CGUGA1W" };
    expect(matchesCreditQuery(search, "新化工", false)).toBe(true);
    // The grams "蜀新" and "化工" are both there, but not "蜀新工".
    expect(matchesCreditQuery(search, "蜀新工", false)).toBe(false);
    expect(matchesCreditQuery(search, "915", true)).toBe(true);
    expect(matchesCreditQuery(search, "91", true)).toBe(false);
    expect(matchesCreditQuery(search, "MA6", true)).toBe(false);
  });
});
