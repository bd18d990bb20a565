import { describe, expect, it } from "vitest";
import { selectQueueRows, type QueueRow } from "~/data/grading/application-queues";
import type { EnterpriseRow } from "~/lib/lists/enterprise-rows";

const id = (hex: string) => ({ toHexString: () => hex.padStart(24, "0") });
const now = new Date("2026-03-10T00:00:00Z");
const past = new Date("2026-03-01T00:00:00Z");
const future = new Date("2026-04-01T00:00:00Z");

function row(n: number, over: Partial<QueueRow> = {}): QueueRow & { n: number } {
  return { n, enterpriseId: id(String(n % 2)), districtCode: "510104", cycle: "2026", state: "submitted", submittedAt: past, deadlines: { acceptBy: future }, ...over };
}

const enterprises = new Map<string, EnterpriseRow>(
  [0, 1].map((n) => {
    const e: EnterpriseRow = { _id: id(String(n)), name: n === 0 ? "甲化工有限公司" : "乙机械有限公司", creditCode: n === 0 ? "91510100AAAA" : "91510100BBBB", industry: n === 0 ? "hazchem" : "machinery", sizeClass: "small", districtCode: "510104", status: "active", address: "", contactName: "", contactPhone: "" } as EnterpriseRow;
    return [e._id.toHexString(), e];
  }),
);

describe("selectQueueRows", () => {
  const rows = [
    row(1),
    row(2, { submittedAt: null, state: "draft" }),
    row(3, { districtCode: "510105" }),
    row(4, { deadlines: { acceptBy: past } }),
    row(5, { state: "underReview.reviewing", deadlines: { reviewBy: past } }),
    row(6, { cycle: "2025" }),
  ];
  const base = { queue: "acceptance" as const, now, scope: { districtCodes: [] } };

  it("counts submitted rows per queue and keeps the order", () => {
    const { counts, rows: picked } = selectQueueRows(rows, enterprises, base);
    expect(picked.map((r) => r.n)).toEqual([1, 3, 4, 6]);
    expect(counts.acceptance).toBe(4);
  });

  it("keeps a district-limited reader and a cycle to theirs", () => {
    expect(selectQueueRows(rows, enterprises, { ...base, scope: { districtCodes: ["510105"] } }).rows.map((r) => r.n)).toEqual([3]);
    expect(selectQueueRows(rows, enterprises, { ...base, scope: { districtCodes: ["510105"] } }).counts.acceptance).toBe(1);
    expect(selectQueueRows(rows, enterprises, { ...base, cycle: "2025" }).rows.map((r) => r.n)).toEqual([6]);
  });

  it("filters overdue deadlines (dates before now) and the search box", () => {
    expect(selectQueueRows(rows, enterprises, { ...base, overdue: "any" }).rows.map((r) => r.n)).toEqual([4, 5]);
    expect(selectQueueRows(rows, enterprises, { ...base, overdue: "review" }).rows.map((r) => r.n)).toEqual([5]);
    expect(selectQueueRows(rows, enterprises, { ...base, q: "乙机械" }).rows.map((r) => r.n)).toEqual([1, 3]);
    expect(selectQueueRows(rows, enterprises, { ...base, enterprise: { industry: "hazchem" } }).rows.map((r) => r.n)).toEqual([4, 6]);
  });
});
