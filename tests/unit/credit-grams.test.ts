import { describe, expect, it } from "vitest";
import { normalizeForSearch, creditSearchFields } from "~/lib/credit";
import { creditCodePrefixes, creditGrams, matchesCreditQuery, pickQueryGram, isCodePrefixOnly } from "~/lib/credit-grams";
import { registryMonthsNewestFirst } from "~/lib/registry-months";

describe("credit registry n-grams", () => {
  it("stores every 1-3 character piece of the name once each, and the code's prefixes of 3 to 17 characters", () => {
    const grams = creditGrams("蜀新化工");
    for (const g of ["蜀", "新", "化", "工", "蜀新", "新化", "化工", "蜀新化", "新化工"]) expect(grams).toContain(g);
    expect(grams).not.toContain("蜀新化工");
    expect(new Set(grams).size).toBe(grams.length);
    expect(creditGrams("安安安")).toEqual(["安", "安安", "安安安"]);
    const prefixes = creditCodePrefixes("91510100MA6CGUGA1W");
    expect(prefixes[0]).toBe("915");
    expect(prefixes.at(-1)).toBe("91510100MA6CGUGA1");
    expect(prefixes).toHaveLength(15);
    // The whole code is `searchCode`; pieces inside the code are not prefixes.
    expect(prefixes).not.toContain("91510100MA6CGUGA1W");
    expect(prefixes).not.toContain("MA6");
  });

  it("covers every query a search may run, for Chinese, Latin and code queries", () => {
    const search = creditSearchFields("Acme 安全 Trading（成都）有限公司", "91510100MA6CGUGA1W");
    const grams = new Set(creditGrams(search.name));
    const prefixes = new Set(creditCodePrefixes(search.code));
    for (const q of ["acme", "ACME安全", "safe", "安", "tr", "(成都)", "91510100MA6", "915"]) {
      const text = normalizeForSearch(q);
      const codeLike = /^[0-9A-HJ-NP-RTUW-Y]+$/.test(text);
      if (!matchesCreditQuery(search, text, codeLike)) continue;
      // Found by the name read's gram, or (a code-like text) by the exact prefix read.
      const found = (search.name.includes(text) && grams.has(pickQueryGram(text))) || prefixes.has(text);
      expect(found, `${q}`).toBe(true);
    }
  });

  it("picks a gram of min(3, length) characters that avoids the words every company name has", () => {
    expect(pickQueryGram("蜀")).toBe("蜀");
    expect(pickQueryGram("蜀新")).toBe("蜀新");
    // "有限公司" pieces are in most names; "锦城化" is not.
    expect(pickQueryGram("有限公司锦城化工")).toBe("锦城化");
    expect(pickQueryGram("成都锦城化工有限公司")).toBe("成都锦");
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

  it("walks the registry's month buckets newest first: a year's twelve, or from a year ahead back to 2017-01", () => {
    // 2026-12-31 20:00 UTC is already 2027-01-01 in China.
    const months = registryMonthsNewestFirst(new Date("2026-12-31T20:00:00Z"), null);
    expect(months[0]).toBe(202801);
    expect(months.slice(11, 14)).toEqual([202702, 202701, 202612]);
    expect(months.at(-1)).toBe(201701);
    expect(months).toHaveLength((2028 - 2017) * 12 + 1);
    expect(new Set(months.map((m) => m % 100))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    expect(registryMonthsNewestFirst(new Date(), 2024)).toEqual([202412, 202411, 202410, 202409, 202408, 202407, 202406, 202405, 202404, 202403, 202402, 202401]);
  });

  it("knows a text that can only start a credit code: the registering division's six digits in places 3-8", () => {
    expect(isCodePrefixOnly("91510112")).toBe(true);
    expect(isCodePrefixOnly("91510112MA")).toBe(true);
    expect(isCodePrefixOnly("9151011")).toBe(false);
    expect(isCodePrefixOnly("TCL12345")).toBe(false);
    expect(isCodePrefixOnly("MA6CGUXX")).toBe(false);
  });
});
