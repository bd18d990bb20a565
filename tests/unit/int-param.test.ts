import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIntParam } from "~/lib/http/int-param";
import { MAX_PAGE, pageParam } from "~/lib/paging";

describe("numeric query parameters", () => {
  it.each([
    ["Infinity", 1],
    ["-Infinity", 1],
    ["1e308", 1],
    ["-1", 1],
    ["0", 1],
    ["abc", 1],
    ["NaN", 1],
    ["0x10", 1],
    ["", 1],
    ["2", 2],
    [" 3 ", 3],
    ["99999999999999999999999", 1],
  ])("page=%j → %i", (raw, expected) => {
    expect(pageParam(raw)).toBe(expected);
  });

  it("strict parsing refuses what is not digits within bounds", () => {
    const bounds = { min: 2000, max: 2100 };
    expect(parseIntParam("2024", bounds)).toEqual({ ok: true, value: 2024 });
    expect(parseIntParam(null, bounds)).toEqual({ ok: true, value: undefined });
    for (const bad of ["1e3", "Infinity", "-2024", "1999", "2101", "20.5", "abc"]) expect(parseIntParam(bad, bounds)).toEqual({ ok: false });
  });

  it("always yields a page within bounds, and any accepted value is a safe integer within bounds, for any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (raw) => {
        const n = pageParam(raw);
        expect(Number.isSafeInteger(n) && n >= 1 && n <= MAX_PAGE).toBe(true);
        const parsed = parseIntParam(raw, { min: 5, max: 500 });
        if (parsed.ok && parsed.value !== undefined) expect(Number.isSafeInteger(parsed.value) && parsed.value >= 5 && parsed.value <= 500).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
