import { describe, expect, it } from "vitest";
import {
  creditCodeProvince,
  creditCodeRegionMismatch,
  industryFitsDivision,
  INDUSTRY_DIVISIONS,
  licenceState,
  licenceWarnings,
  nextLicenceExpiry,
  rubricSizeClass,
} from "~/lib/enterprise-master-data";
import { INDUSTRY_KEYS } from "~/lib/domain";

const DAY = 86_400_000;
const now = new Date("2026-06-01T00:00:00Z");

describe("enterprise master data", () => {
  it("maps every GB/T 4754 division to known rubric industries, with unique codes", () => {
    expect(new Set(INDUSTRY_DIVISIONS.map((d) => d.code)).size).toBe(INDUSTRY_DIVISIONS.length);
    for (const d of INDUSTRY_DIVISIONS) for (const i of d.industries) expect(INDUSTRY_KEYS).toContain(i);
    expect(industryFitsDivision("hazchem", "26")).toBe(true);
    expect(industryFitsDivision("commerce", "34")).toBe(false);
    expect(industryFitsDivision("commerce", "")).toBe(true);
  });

  it("规下 proposes the small/micro size; 规上 and unknown keep the size class", () => {
    expect(rubricSizeClass("large", "below")).toBe("small");
    expect(rubricSizeClass("medium", "above")).toBe("medium");
    expect(rubricSizeClass("micro", "below")).toBe("micro");
    expect(rubricSizeClass("medium", null)).toBe("medium");
  });

  it("licence states and the veto-item warnings", () => {
    expect(licenceState(new Date(now.getTime() - 1), now)).toBe("expired");
    expect(licenceState(new Date(now.getTime() + 30 * DAY), now)).toBe("expiring");
    expect(licenceState(new Date(now.getTime() + 31 * DAY), now)).toBe("valid");
    const licences = [
      { type: "safety-production" as const, number: "1", expiresAt: new Date(now.getTime() - DAY) },
      { type: "other" as const, number: "2", expiresAt: new Date(now.getTime() + 400 * DAY) },
    ];
    expect(nextLicenceExpiry(licences)?.getTime()).toBe(now.getTime() - DAY);
    expect(nextLicenceExpiry([])).toBeNull();
    expect(licenceWarnings("hazchem-tier", licences, now).map((w) => [w.itemId, w.number, w.state])).toEqual([["E1.1.1", "1", "expired"]]);
    expect(licenceWarnings("unknown-rubric", licences, now)).toEqual([]);
  });

  it("reads the province from characters 3–8 of a credit code", () => {
    expect(creditCodeProvince("914403001922038216")).toBe("44");
    expect(creditCodeProvince("91110000100010433L")).toBe("11");
    expect(creditCodeProvince("91100000MA00000000")).toBeNull();
    expect(creditCodeRegionMismatch("914403001922038216", "510104")).toBe(true);
    expect(creditCodeRegionMismatch("91510100MA61R0XK3C", "510104")).toBe(false);
  });
});
