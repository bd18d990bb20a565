/**
 * Slot reservations (decision 015): of many parallel reservations on one counter exactly `limit`
 * succeed — on FerretDB, where `$inc` upserts are not atomic (50 parallel `$inc` upserts on one
 * `_id` read back only 10–13 distinct counts there), because each slot is a unique-`_id` insert.
 */
import { describe, expect, it } from "vitest";
import { RateLimit } from "../../models/rate-limit";
import { clearSlotGroup, clearSlots, reserveSlot } from "~/data/rate-limit.server";

const WINDOW = 60_000;

describe("reserveSlot", () => {
  it("50 parallel reservations with limit 5: exactly 5 succeed, in every round", async () => {
    for (let round = 0; round < 3; round += 1) {
      const counter = `experiment:${round}`;
      const results = await Promise.all(
        Array.from({ length: 50 }, () => reserveSlot({ counter, group: "experiment", limit: 5, windowMs: WINDOW })),
      );
      const granted = results.filter((r) => r.ok);
      expect(granted).toHaveLength(5);
      expect(new Set(granted.map((r) => (r.ok ? r.slot : 0)))).toEqual(new Set([1, 2, 3, 4, 5]));
      for (const r of results) if (!r.ok) expect(r.retryAfterSeconds).toBeGreaterThan(0);
    }
  });

  it("a new window starts empty; clearing frees the slots; a group clears at once", async () => {
    const t = Date.UTC(2026, 0, 1, 0, 0, 0);
    const reserve = (now: number) => reserveSlot({ counter: "c", group: "g", limit: 2, windowMs: WINDOW, now });
    expect((await reserve(t)).ok).toBe(true);
    expect((await reserve(t)).ok).toBe(true);
    expect(await reserve(t)).toEqual({ ok: false, retryAfterSeconds: 60 });
    expect((await reserve(t + WINDOW)).ok).toBe(true);
    await clearSlots("c", 2, WINDOW, t);
    expect(await reserve(t)).toEqual({ ok: true, slot: 1 });
    await clearSlotGroup("g");
    expect(await RateLimit.countDocuments({ key: "g" })).toBe(0);
  });
});
