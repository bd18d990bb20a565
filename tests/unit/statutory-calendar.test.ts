/**
 * The statutory calendar (State Council notices via the `chinese-days` dataset) under the pure
 * working-day arithmetic and the grading machine, with tenant overrides on top.
 */
import { describe, expect, it } from "vitest";
import {
  STATUTORY_CALENDAR,
  statutoryCalendarCovers,
  statutoryCalendarYears,
  tenantWorkingCalendar,
} from "~/workflows/statutory-calendar";
import { addWorkingDays, isWorkingDay, workingDaysBetween } from "~/workflows/working-days";
import {
  applyGradingEvent,
  startGrading,
  workingCalendarSchema,
  type GradingEventOf,
} from "~/workflows/grading.machine";

const cst = (date: string, time = "10:00") => new Date(`${date}T${time}:00+08:00`);
const endOf = (date: string) => new Date(`${date}T23:59:59.999+08:00`).toISOString();
const CITY = tenantWorkingCalendar({});

describe("statutory calendar data", () => {
  it("covers the years of the State Council notices, 2026 included", () => {
    const { first, last } = statutoryCalendarYears();
    expect(first).toBeLessThanOrEqual(2010);
    expect(last).toBeGreaterThanOrEqual(2026);
    expect(statutoryCalendarCovers(2026)).toBe(true);
    expect(statutoryCalendarCovers(1999)).toBe(false);
    expect(STATUTORY_CALENDAR.holidays).toContain("2026-10-01");
    expect(STATUTORY_CALENDAR.extraWorkdays).toContain("2026-02-14");
  });

  it("classifies the 2026 Spring Festival and its make-up Saturdays", () => {
    expect(isWorkingDay("2026-02-14", CITY)).toBe(true); // Saturday, 调休
    expect(isWorkingDay("2026-02-16", CITY)).toBe(false); // Monday, 春节
    expect(isWorkingDay("2026-02-23", CITY)).toBe(false); // Monday, last day off
    expect(isWorkingDay("2026-02-24", CITY)).toBe(true);
    expect(isWorkingDay("2026-02-28", CITY)).toBe(true); // Saturday, 调休
    expect(isWorkingDay("2026-03-07", CITY)).toBe(false); // ordinary Saturday
  });
});

describe("deadlines on the statutory calendar", () => {
  it("counts across the Spring Festival, including both make-up Saturdays", () => {
    // Fri 13 Feb + 1 → Sat 14 Feb (make-up day); + 5 → 14, 24, 25, 26, 27 Feb.
    expect(addWorkingDays(cst("2026-02-13"), 1, CITY).toISOString()).toBe(endOf("2026-02-14"));
    expect(addWorkingDays(cst("2026-02-13"), 5, CITY).toISOString()).toBe(endOf("2026-02-27"));
    // Sat 14 Feb + 1 → nine days off → Tue 24 Feb.
    expect(addWorkingDays(cst("2026-02-14"), 1, CITY).toISOString()).toBe(endOf("2026-02-24"));
    // The 调休 Saturday 28 Feb counts.
    expect(addWorkingDays(cst("2026-02-26"), 2, CITY).toISOString()).toBe(endOf("2026-02-28"));
    expect(workingDaysBetween(cst("2026-02-13"), cst("2026-02-28"), CITY)).toBe(6);
  });

  it("counts across Mid-Autumn and National Day with the make-up Sunday and Saturday", () => {
    expect(addWorkingDays(cst("2026-09-30"), 1, CITY).toISOString()).toBe(endOf("2026-10-08"));
    expect(addWorkingDays(cst("2026-09-30"), 3, CITY).toISOString()).toBe(endOf("2026-10-10"));
    expect(addWorkingDays(cst("2026-09-18"), 1, CITY).toISOString()).toBe(endOf("2026-09-20"));
    expect(addWorkingDays(cst("2026-09-24"), 1, CITY).toISOString()).toBe(endOf("2026-09-28"));
  });

  it("without the statutory base only weekends are rest days", () => {
    expect(addWorkingDays(cst("2026-09-30"), 1, { holidays: [] }).toISOString()).toBe(
      endOf("2026-10-01"),
    );
  });

  it("lets a tenant's override win over the dataset in both directions", () => {
    // A local holiday on the make-up Saturday 10 Oct cancels it: 30 Sep + 3 → 8, 9, 12 Oct.
    const localHoliday = tenantWorkingCalendar({ holidays: ["2026-10-10"] });
    expect(addWorkingDays(cst("2026-09-30"), 3, localHoliday).toISOString()).toBe(endOf("2026-10-12"));
    // A local workday on a statutory holiday counts.
    const localWorkday = tenantWorkingCalendar({ extraWorkdays: ["2026-10-02"] });
    expect(addWorkingDays(cst("2026-09-30"), 1, localWorkday).toISOString()).toBe(endOf("2026-10-02"));
  });
});

describe("the grading machine with a tenant calendar", () => {
  it("keeps the statutory base through its settings schema and sets acceptBy across the Spring Festival", () => {
    expect(workingCalendarSchema.parse(CITY)).toEqual(CITY);
    const snapshot = startGrading({
      applicationId: "app-1",
      enterpriseId: "ent-1",
      settings: { acceptanceDays: 5, reviewDays: 40, publicNoticeDays: 5, calendar: CITY },
    });
    const submit: GradingEventOf<"SUBMIT"> = {
      type: "SUBMIT",
      actor: { id: "u-1", role: "enterprise_admin" },
      now: cst("2026-02-13").toISOString(),
      appliedLevel: "level3",
      levels: ["level1", "level2", "level3"],
      score: { selfScore: 72.5, appliedLevelMinScore: 60, vetoed: false, eligibleLevel: "level3" },
      requiredEvidenceMissing: [],
      creditListed: null,
    };
    const step = applyGradingEvent(snapshot, submit);
    if (!step.ok) throw new Error(step.reasons.join(","));
    expect(step.snapshot.context.deadlines.acceptBy).toBe(endOf("2026-02-27"));
  });
});
