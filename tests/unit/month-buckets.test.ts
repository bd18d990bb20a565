import { describe, expect, it } from "vitest";
import { chinaMonth, monthsNewestFirst } from "~/lib/month-buckets";
import { MONTHS_AT_ONCE, newestAtFirst, nextWidth, readMonthsNewestFirst } from "~/data/month-walk.server";

describe("month buckets", () => {
  it("names the month in China time", () => {
    expect(chinaMonth(new Date("2026-11-30T15:59:59Z"))).toBe(202611);
    expect(chinaMonth(new Date("2026-11-30T16:00:00Z"))).toBe(202612);
    expect(chinaMonth(new Date("2026-12-31T16:00:00Z"))).toBe(202701);
  });

  it("lists the months from `ahead` after now back to the first, across year ends", () => {
    expect(monthsNewestFirst(new Date("2026-12-05T00:00:00Z"), 202610, 1)).toEqual([202701, 202612, 202611, 202610]);
    expect(monthsNewestFirst(new Date("2026-12-05T00:00:00Z"), 202612, 0)).toEqual([202612]);
  });

  it("walks buckets newest first, stops once enough are read, and says whether it read them all", async () => {
    type Doc = { _id: string; at: Date };
    const buckets = new Map<number, Doc[]>();
    const months = monthsNewestFirst(new Date("2026-12-05T00:00:00Z"), 202401, 0);
    for (const m of months) {
      const y = Math.floor(m / 100);
      const mo = m % 100;
      buckets.set(m, [
        { _id: `${m}a`, at: new Date(Date.UTC(y, mo - 1, 2)) },
        { _id: `${m}b`, at: new Date(Date.UTC(y, mo - 1, 20)) },
        { _id: `${m}c`, at: new Date(Date.UTC(y, mo - 1, 20)) },
      ]);
    }
    const read: number[] = [];
    const order = newestAtFirst<Doc>((d) => d.at);
    const some = await readMonthsNewestFirst(months, async (m) => (read.push(m), [...(buckets.get(m) ?? [])]), order, 5);
    expect(some.complete).toBe(false);
    expect(some.docs.slice(0, 4).map((d) => d._id)).toEqual(["202612c", "202612b", "202612a", "202611c"]);
    // One bucket, then as many as 3 a month says the other 2 need: no bucket read for nothing.
    expect(read).toEqual([202612, 202611]);
    read.length = 0;
    const more = await readMonthsNewestFirst(months, async (m) => (read.push(m), [...(buckets.get(m) ?? [])]), order, 3 * 8);
    expect(more.docs.slice(0, 24).map((d) => d._id).at(-1)).toBe("202605a");
    expect(read).toEqual([202612, 202611, 202610, 202609, 202608, 202607, 202606, 202605]);
    const all = await readMonthsNewestFirst(months, async (m) => [...(buckets.get(m) ?? [])], order, 1000);
    expect(all.complete).toBe(true);
    expect(all.docs).toHaveLength(months.length * 3);
    expect(all.docs.at(-1)?._id).toBe("202401a");
  });

  it("reads as many buckets next as the density seen so far needs, doubling while it found none", () => {
    expect(nextWidth({ width: 1, found: 0, monthsSinceFirst: 0, need: 50 })).toBe(2);
    expect(nextWidth({ width: 8, found: 0, monthsSinceFirst: 0, need: 50 })).toBe(MONTHS_AT_ONCE);
    expect(nextWidth({ width: 1, found: 10, monthsSinceFirst: 1, need: 51 })).toBe(5);
    expect(nextWidth({ width: 1, found: 1, monthsSinceFirst: 1, need: 10_001 })).toBe(MONTHS_AT_ONCE);
    expect(nextWidth({ width: 4, found: 3000, monthsSinceFirst: 1, need: 3001 })).toBe(1);
  });
});
