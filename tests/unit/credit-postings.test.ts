import { describe, expect, it } from "vitest";
import {
  applyToPosting,
  builtPosting,
  entryMatches,
  postingChanges,
  postingEntry,
  packEntries,
  postingGrams,
  queryPostingGrams,
  unpackEntries,
  type PostingEntry,
} from "~/lib/credit-postings";

const entry = (i: string, n: string, extra: Partial<PostingEntry> = {}): PostingEntry => ({
  i,
  t: "t1",
  n,
  a: 1_000,
  k: "c1",
  y: 2025,
  l: "serious2023",
  ...extra,
});

describe("credit registry name index (pure)", () => {
  it("posts a name under its distinct 3-character grams only", () => {
    expect(postingGrams("蜀新化工厂")).toEqual(["蜀新化", "新化工", "化工厂"]);
    expect(postingGrams("aaaa")).toEqual(["aaa"]);
    expect(postingGrams("蜀新")).toEqual([]);
  });

  it("tries a query's rarest-looking gram first", () => {
    expect(queryPostingGrams("有限公司蜀新")[0]).toBe("司蜀新");
    expect(queryPostingGrams("有限公司")).toEqual(["有限公", "限公司"]);
  });

  it("builds the entry from a publication and matches filters and the whole query", () => {
    const e = postingEntry({
      _id: "p1",
      tenantId: "t1",
      search: { name: "成都蜀新化工" },
      listedAt: new Date(5_000),
      conditionKey: "c1",
      listedYear: 2025,
      listType: "serious2023",
    });
    expect(e).toEqual({ i: "p1", t: "t1", n: "成都蜀新化工", a: 5_000, k: "c1", y: 2025, l: "serious2023" });
    const all = { tenantId: null, conditionKey: null, listedYear: null, listType: null };
    expect(entryMatches(e, all, "蜀新化")).toBe(true);
    expect(entryMatches(e, all, "蜀新工")).toBe(false);
    expect(entryMatches(e, { ...all, tenantId: "t2" }, "蜀新化")).toBe(false);
    expect(entryMatches(e, { ...all, listedYear: 2024 }, "蜀新化")).toBe(false);
    expect(entryMatches(e, { ...all, conditionKey: "c2" }, "蜀新化")).toBe(false);
    expect(entryMatches(e, { ...all, listType: "other" }, "蜀新化")).toBe(false);
  });

  it("replaces, removes and adds one entry, returns the same posting when nothing changes, overflows past the cap", () => {
    const posting = { entries: [entry("a", "x"), entry("b", "y")], over: false };
    expect(applyToPosting(posting, "a", entry("a", "x"))).toBe(posting);
    expect(applyToPosting(posting, "c", null)).toBe(posting);
    expect(applyToPosting(posting, "a", entry("a", "z")).entries.map((e) => e.n)).toEqual(["z", "y"]);
    expect(applyToPosting(posting, "a", null).entries.map((e) => e.i)).toEqual(["b"]);
    expect(applyToPosting(posting, "c", entry("c", "w"), 3).entries.map((e) => e.i)).toEqual(["a", "b", "c"]);
    expect(applyToPosting(posting, "c", entry("c", "w"), 2)).toEqual({ entries: [], over: true });
    const over = { entries: [], over: true };
    expect(applyToPosting(over, "a", null)).toBe(over);
    expect(builtPosting([entry("a", "x"), entry("b", "y")], 1)).toEqual({ entries: [], over: true });
  });

  it("derives which postings lose and which get a publication's entry", () => {
    const before = { grams: ["g1", "g2"], entry: entry("a", "old") };
    expect(postingChanges(before, { grams: ["g2", "g3"], entry: entry("a", "old") })).toEqual({ remove: ["g1"], put: ["g3"] });
    expect(postingChanges(before, { grams: ["g2", "g3"], entry: entry("a", "new") })).toEqual({ remove: ["g1"], put: ["g2", "g3"] });
    expect(postingChanges(before, { grams: [], entry: null })).toEqual({ remove: ["g1", "g2"], put: [] });
    expect(postingChanges({ grams: [], entry: null }, { grams: ["g1"], entry: entry("a", "n") })).toEqual({ remove: [], put: ["g1"] });
  });

  it("packs entries into one string and back, nulls and stray tabs included", () => {
    const entries = [entry("a", "成都蜀新"), entry("b", "x\ty\nz", { a: null, y: null })];
    expect(unpackEntries(packEntries(entries))).toEqual([entry("a", "成都蜀新"), entry("b", "x y z", { a: null, y: null })]);
    expect(unpackEntries(packEntries([]))).toEqual([]);
  });
});
