/** Pure parts of the lists served from cached rows (decision 031): search, order, pages, filters. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byNameThenId, filterEnterpriseRows, type EnterpriseRow } from "~/lib/lists/enterprise-rows";
import { compareText, nameOrCodeMatcher, pageOf } from "~/lib/lists/rows";

const id = (n: number) => ({ toHexString: () => n.toString(16).padStart(24, "0") });
function row(n: number, over: Partial<EnterpriseRow> = {}): EnterpriseRow {
  return {
    _id: id(n),
    name: `企业${n}`,
    creditCode: "91510100MA61XXXX0" + (n % 10),
    industry: "machinery",
    sizeClass: "small",
    districtCode: "510104",
    status: "active",
    address: "",
    contactName: "",
    contactPhone: "",
    ...over,
  };
}

describe("list rows", () => {
  it("matches a name substring case-insensitively and a normalised code prefix", () => {
    const m = nameOrCodeMatcher("  abc ");
    expect(m?.("xABCy公司", "9151")).toBe(true);
    expect(m?.("其他", "ABC")).toBe(true);
    expect(nameOrCodeMatcher("９１５１")?.("无关", "915101")).toBe(true);
    expect(nameOrCodeMatcher("915I")?.("无关", "915I01")).toBe(false);
    expect(nameOrCodeMatcher("")).toBeNull();
  });

  it("pages cover the rows exactly once, in order, at most 100 per page", () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 300 }), fc.integer({ min: 1, max: 150 }), (rows, size) => {
        const first = pageOf(rows, 1, size);
        const pages = Math.max(1, Math.ceil(rows.length / first.pageSize));
        const all = Array.from({ length: pages }, (_, i) => pageOf(rows, i + 1, size).items).flat();
        expect(first.pageSize).toBe(Math.min(size, 100));
        expect(first.total).toBe(rows.length);
        expect(all).toEqual(rows);
      }),
    );
    expect(pageOf([1, 2, 3], 0, 2)).toEqual({ items: [1, 2], total: 3, page: 1, pageSize: 2 });
  });

  it("orders by name, then id, and filters by district scope, industry and size", () => {
    const rows = [row(3, { name: "B" }), row(2, { name: "A" }), row(1, { name: "B", districtCode: "510105", industry: "light" })];
    rows.sort(byNameThenId);
    expect(rows.map((r) => r._id.toHexString().slice(-1))).toEqual(["2", "1", "3"]);
    expect(compareText("a", "b")).toBe(-1);
    const limited = { districtCodes: ["510105"] };
    expect(filterEnterpriseRows(rows, { scope: limited }).map((r) => r.name)).toEqual(["B"]);
    expect(filterEnterpriseRows(rows, { scope: limited, districtCode: "510104" })).toEqual([]);
    expect(filterEnterpriseRows(rows, { scope: { districtCodes: [] }, industry: "light" })).toHaveLength(1);
    expect(filterEnterpriseRows(rows, { scope: { districtCodes: [] }, sizeClass: "micro" })).toHaveLength(0);
  });
});
