import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CalendarError,
  addWorkingDays,
  calendarProblems,
  isWorkingDay,
  shanghaiDate,
  workingDaysBetween,
  type WorkingCalendar,
} from "~/workflows/working-days";

/**
 * Test calendar modelled on the State Council's 2026 holiday notice (dates as test data; the
 * product reads the real list from tenant settings). National Day 10-01..10-07, with Sunday
 * 09-20 and Saturday 10-10 as 调休 working days.
 */
// prettier-ignore
const CAL_2026: WorkingCalendar = {
  holidays: [
    "2026-01-01", "2026-01-02", "2026-01-03",
    "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
    "2026-04-04", "2026-04-05", "2026-04-06",
    "2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05",
    "2026-06-19", "2026-06-20", "2026-06-21",
    "2026-09-25", "2026-09-26", "2026-09-27",
    "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07",
  ],
  extraWorkdays: ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
};
const NO_HOLIDAYS: WorkingCalendar = { holidays: [] };

/** An instant at hh:mm on a Shanghai date. */
function cst(date: string, time = "10:00"): Date {
  return new Date(`${date}T${time}:00+08:00`);
}
/** The deadline instant for a Shanghai date: 23:59:59.999 CST. */
function endOf(date: string): string {
  return new Date(`${date}T23:59:59.999+08:00`).toISOString();
}

describe("addWorkingDays", () => {
  it("skips weekends and ends at 23:59:59.999 Shanghai time", () => {
    // 2026-01-09 is a Friday.
    expect(addWorkingDays(cst("2026-01-09"), 1, NO_HOLIDAYS).toISOString()).toBe(
      endOf("2026-01-12"),
    );
    expect(addWorkingDays(cst("2026-01-09"), 1, NO_HOLIDAYS).toISOString()).toBe(
      "2026-01-12T15:59:59.999Z",
    );
    expect(addWorkingDays(cst("2026-01-05"), 5, NO_HOLIDAYS).toISOString()).toBe(
      endOf("2026-01-12"),
    );
    // Saturday and Sunday starts: the first working day after is Monday.
    expect(addWorkingDays(cst("2026-01-10"), 1, NO_HOLIDAYS).toISOString()).toBe(
      endOf("2026-01-12"),
    );
    expect(addWorkingDays(cst("2026-01-11"), 1, NO_HOLIDAYS).toISOString()).toBe(
      endOf("2026-01-12"),
    );
  });

  it("does the date math on the Shanghai date, not the UTC date", () => {
    // 2026-01-08T17:00Z is Friday 2026-01-09 01:00 in Shanghai (still Thursday in UTC).
    const start = new Date("2026-01-08T17:00:00.000Z");
    expect(shanghaiDate(start)).toBe("2026-01-09");
    expect(addWorkingDays(start, 1, NO_HOLIDAYS).toISOString()).toBe(endOf("2026-01-12"));
    // One millisecond before Shanghai midnight is still the earlier date.
    expect(shanghaiDate(new Date("2026-01-08T15:59:59.999Z"))).toBe("2026-01-08");
    expect(shanghaiDate(new Date("2026-01-08T16:00:00.000Z"))).toBe("2026-01-09");
  });

  it("skips the National Day holiday and counts the 调休 weekend workdays", () => {
    // Wed 09-30 + 1: 10-01..10-07 are holidays → Thursday 10-08.
    expect(addWorkingDays(cst("2026-09-30"), 1, CAL_2026).toISOString()).toBe(endOf("2026-10-08"));
    // + 3: 10-08 (Thu), 10-09 (Fri), 10-10 (Saturday made a workday).
    expect(addWorkingDays(cst("2026-09-30"), 3, CAL_2026).toISOString()).toBe(endOf("2026-10-10"));
    // Without the 调休 day the same count reaches Monday 10-12.
    expect(
      addWorkingDays(cst("2026-09-30"), 3, { holidays: CAL_2026.holidays }).toISOString(),
    ).toBe(endOf("2026-10-12"));
    // Fri 09-18 + 1 is Sunday 09-20, a workday.
    expect(addWorkingDays(cst("2026-09-18"), 1, CAL_2026).toISOString()).toBe(endOf("2026-09-20"));
    // Mid-autumn (09-25 Fri) and National Day: Mon 09-28 + 5 working days.
    expect(addWorkingDays(cst("2026-09-24"), 1, CAL_2026).toISOString()).toBe(endOf("2026-09-28"));
    expect(addWorkingDays(cst("2026-09-28"), 5, CAL_2026).toISOString()).toBe(endOf("2026-10-10"));
    // A start on a holiday counts from the holiday's date.
    expect(addWorkingDays(cst("2026-10-03"), 1, CAL_2026).toISOString()).toBe(endOf("2026-10-08"));
  });

  it("handles the year boundary (New Year holiday, Sunday 01-04 workday)", () => {
    expect(addWorkingDays(cst("2025-12-31"), 1, CAL_2026).toISOString()).toBe(endOf("2026-01-04"));
    expect(addWorkingDays(cst("2025-12-31"), 2, CAL_2026).toISOString()).toBe(endOf("2026-01-05"));
  });

  it("gives the end of the first working day on or after the start for n = 0", () => {
    expect(addWorkingDays(cst("2026-03-02"), 0, CAL_2026).toISOString()).toBe(endOf("2026-03-02"));
    expect(addWorkingDays(cst("2026-10-01"), 0, CAL_2026).toISOString()).toBe(endOf("2026-10-08"));
    expect(addWorkingDays(cst("2026-10-10", "23:59"), 0, CAL_2026).toISOString()).toBe(
      endOf("2026-10-10"),
    );
  });

  it("counts a 40-working-day review across Qingming and Labour Day", () => {
    expect(addWorkingDays(cst("2026-03-02"), 40, CAL_2026).toISOString()).toBe(endOf("2026-04-28"));
    expect(addWorkingDays(new Date(endOf("2026-04-28")), 5, CAL_2026).toISOString()).toBe(
      endOf("2026-05-08"),
    );
  });

  it("refuses negative or fractional counts and invalid dates", () => {
    expect(() => addWorkingDays(cst("2026-03-02"), -1, NO_HOLIDAYS)).toThrow(RangeError);
    expect(() => addWorkingDays(cst("2026-03-02"), 1.5, NO_HOLIDAYS)).toThrow(RangeError);
    expect(() => addWorkingDays(cst("2026-03-02"), Number.NaN, NO_HOLIDAYS)).toThrow(RangeError);
    expect(() => addWorkingDays(new Date("nonsense"), 1, NO_HOLIDAYS)).toThrow(CalendarError);
    expect(() => addWorkingDays(cst("2026-03-02"), 1, { holidays: ["2026-02-30"] })).toThrow(
      CalendarError,
    );
    expect(() =>
      addWorkingDays(cst("2026-03-02"), 1, { holidays: [], extraWorkdays: ["2026/10/10"] }),
    ).toThrow(/YYYY-MM-DD/);
  });
});

describe("workingDaysBetween", () => {
  it("counts the working days after the first date up to and including the second", () => {
    expect(
      workingDaysBetween(cst("2026-03-02", "09:00"), cst("2026-03-02", "18:00"), CAL_2026),
    ).toBe(0);
    expect(workingDaysBetween(cst("2026-01-09"), cst("2026-01-12"), NO_HOLIDAYS)).toBe(1);
    expect(workingDaysBetween(cst("2026-03-03"), cst("2026-03-10"), CAL_2026)).toBe(5);
    expect(workingDaysBetween(cst("2026-09-30"), cst("2026-10-08"), CAL_2026)).toBe(1);
    expect(workingDaysBetween(cst("2026-09-30"), cst("2026-10-10"), CAL_2026)).toBe(3);
    expect(workingDaysBetween(cst("2026-10-01"), cst("2026-10-07"), CAL_2026)).toBe(0);
  });

  it("is negative when the second instant is earlier", () => {
    expect(workingDaysBetween(cst("2026-03-10"), cst("2026-03-03"), CAL_2026)).toBe(-5);
  });
});

describe("isWorkingDay and calendarProblems", () => {
  it("classifies weekdays, weekends, holidays and 调休 days", () => {
    expect(isWorkingDay("2026-03-02", CAL_2026)).toBe(true); // Monday
    expect(isWorkingDay("2026-03-07", CAL_2026)).toBe(false); // Saturday
    expect(isWorkingDay("2026-10-01", CAL_2026)).toBe(false); // holiday
    expect(isWorkingDay("2026-10-10", CAL_2026)).toBe(true); // 调休 Saturday
    expect(isWorkingDay(cst("2026-10-10"), CAL_2026)).toBe(true);
    // A date in both lists is a working day (the explicit workday wins).
    expect(
      isWorkingDay("2026-03-02", { holidays: ["2026-03-02"], extraWorkdays: ["2026-03-02"] }),
    ).toBe(true);
  });

  it("lists the entries that are not valid dates", () => {
    expect(calendarProblems(CAL_2026)).toEqual([]);
    expect(
      calendarProblems({
        holidays: ["2026-02-29", "2026-13-01", "26-1-1", "2026-10-01"],
        extraWorkdays: ["x"],
      }),
    ).toEqual(["2026-02-29", "2026-13-01", "26-1-1", "x"]);
    expect(calendarProblems({ holidays: ["2028-02-29"] })).toEqual([]); // leap year
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const BASE = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;
const isoOffset = (offset: number): string =>
  new Date(BASE + offset * DAY).toISOString().slice(0, 10);

/** Random calendars around 2025–2026: holidays on any day, 调休 days anywhere. */
const calendarArb: fc.Arbitrary<WorkingCalendar> = fc.record({
  holidays: fc
    .uniqueArray(fc.integer({ min: 0, max: 800 }), { maxLength: 120 })
    .map((days) => days.map(isoOffset)),
  extraWorkdays: fc
    .uniqueArray(fc.integer({ min: 0, max: 800 }), { maxLength: 20 })
    .map((days) => days.map(isoOffset)),
});
const startArb = fc.date({
  min: new Date("2024-12-01T00:00:00Z"),
  max: new Date("2027-01-31T00:00:00Z"),
  noInvalidDate: true,
});

describe("working-day properties", () => {
  it("never lands on a weekend or holiday, and always at 23:59:59.999 Shanghai time", () => {
    fc.assert(
      fc.property(startArb, fc.integer({ min: 0, max: 60 }), calendarArb, (start, n, cal) => {
        const due = addWorkingDays(start, n, cal);
        expect(isWorkingDay(due, cal)).toBe(true);
        // The next millisecond is midnight of the next Shanghai date.
        expect(shanghaiDate(new Date(due.getTime() + 1))).not.toBe(shanghaiDate(due));
        expect((due.getTime() + 1 + 8 * 3_600_000) % DAY).toBe(0);
        if (n >= 1) expect(due.getTime()).toBeGreaterThan(start.getTime());
        else expect(due.getTime()).toBeGreaterThanOrEqual(start.getTime());
      }),
    );
  });

  it("is monotonic in n (strictly from n = 1 on)", () => {
    fc.assert(
      fc.property(
        startArb,
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 50 }),
        calendarArb,
        (start, a, b, cal) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const x = addWorkingDays(start, lo, cal).getTime();
          const y = addWorkingDays(start, hi, cal).getTime();
          expect(x).toBeLessThanOrEqual(y);
          if (lo >= 1 && lo < hi) expect(x).toBeLessThan(y);
        },
      ),
    );
  });

  it("is undone by workingDaysBetween and adds up", () => {
    fc.assert(
      fc.property(
        startArb,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        calendarArb,
        (start, a, b, cal) => {
          const first = addWorkingDays(start, a, cal);
          expect(workingDaysBetween(start, first, cal)).toBe(a);
          expect(workingDaysBetween(first, start, cal)).toBe(-a);
          expect(addWorkingDays(first, b, cal).getTime()).toBe(
            addWorkingDays(start, a + b, cal).getTime(),
          );
        },
      ),
    );
  });

  it("uses the same calendar date as the Asia/Shanghai zone (no DST since 1991)", () => {
    const fmt = new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("1992-01-01T00:00:00Z"),
          max: new Date("2100-01-01T00:00:00Z"),
          noInvalidDate: true,
        }),
        (d) => {
          expect(shanghaiDate(d)).toBe(fmt.format(d));
        },
      ),
      { numRuns: 500 },
    );
  });
});
