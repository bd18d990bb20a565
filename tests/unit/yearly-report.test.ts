import { describe, expect, it } from "vitest";
import { validUntilFor } from "~/lib/certificate";
import { EMPTY_REPORT_PART, reminderToSend, reportPartSchema, reportSchedule, reportState, reviewFlags } from "~/lib/yearly-report";

const DAY = 86_400_000;
const issuedAt = new Date("2026-03-02T02:00:00Z");
const cert = { issuedAt, validUntil: validUntilFor(issuedAt, 3) };

describe("yearly report schedule", () => {
  it("one report per year of validity, due N days after each anniversary, while the certificate is valid", () => {
    const slots = reportSchedule(cert, 30);
    expect(slots.map((s) => s.year)).toEqual([1, 2]);
    // Anniversary 2027-03-02 (China) + 30 days = 2027-04-01, start of day in China.
    expect(slots[0]?.dueAt.toISOString()).toBe("2027-03-31T16:00:00.000Z");
    expect(slots[1]?.periodStart.toISOString()).toBe("2027-03-01T16:00:00.000Z");
    // Due before the anniversary: all three years fit.
    expect(reportSchedule(cert, -30).map((s) => s.year)).toEqual([1, 2, 3]);
  });

  it("state and reminders: 30, 7 and 0 days, the latest reached only, each once", () => {
    const due = new Date("2027-04-01T00:00:00Z");
    expect(reportState({ submittedAt: null, dueAt: due }, new Date(due.getTime() - 1))).toBe("due");
    expect(reportState({ submittedAt: null, dueAt: due }, due)).toBe("overdue");
    expect(reportState({ submittedAt: new Date(), dueAt: due }, due)).toBe("submitted");
    expect(reminderToSend(due, new Date(due.getTime() - 31 * DAY), [])).toBeNull();
    expect(reminderToSend(due, new Date(due.getTime() - 30 * DAY), [])).toBe(30);
    expect(reminderToSend(due, new Date(due.getTime() - 10 * DAY), [30])).toBeNull();
    expect(reminderToSend(due, new Date(due.getTime() - 6 * DAY), [30])).toBe(7);
    // A job that was down sends only the latest.
    expect(reminderToSend(due, new Date(due.getTime() + DAY), [])).toBe(0);
    expect(reminderToSend(due, new Date(due.getTime() + DAY), [30, 7, 0])).toBeNull();
  });
});

describe("review flags", () => {
  const asOf = new Date("2027-03-20T04:00:00Z");
  const acc = (occurredOn: string, f: Partial<(typeof EMPTY_REPORT_PART)["accidents"][number]>) => ({
    occurredOn, accidentClass: "general" as const, deaths: 0, seriousInjuries: 0, directLoss: 0, summary: "", ...f,
  });
  it("below the band, a fatal accident, totals over 12 months, an unfixed major hazard", () => {
    expect(reviewFlags({ score: 59.9, minScore: 60, part: EMPTY_REPORT_PART, asOf })).toEqual({ belowBand: true, grounds: [] });
    expect(reviewFlags({ score: 60, minScore: 60, part: EMPTY_REPORT_PART, asOf })).toEqual({ belowBand: false, grounds: [] });
    const part = { ...EMPTY_REPORT_PART, accidents: [acc("2026-12-01", { deaths: 1 }), acc("2026-06-01", { directLoss: 600_000 }), acc("2027-01-01", { directLoss: 400_000 })], hazards: { found: 1, fixed: 0, overdue: 1 } };
    expect(reviewFlags({ score: 80, minScore: 60, part, asOf }).grounds).toEqual(["fatalAccident", "accidentTotals", "majorHazardUnfixed"]);
  });
  it("an accident dated today in China counts from the day's first minute (not from noon), tomorrow's does not", () => {
    // 17:30 UTC on 5 December is 01:30 on 6 December in China.
    const lateUtc = new Date("2026-12-05T17:30:00Z");
    const today = { ...EMPTY_REPORT_PART, accidents: [acc("2026-12-06", { deaths: 1 })] };
    expect(reviewFlags({ score: 80, minScore: 60, part: today, asOf: lateUtc }).grounds).toEqual(["fatalAccident"]);
    const tomorrow = { ...EMPTY_REPORT_PART, accidents: [acc("2026-12-07", { deaths: 1 })] };
    expect(reviewFlags({ score: 80, minScore: 60, part: tomorrow, asOf: lateUtc }).grounds).toEqual([]);
    // Twelve months back, by China day: 2025-12-07 is inside, 2025-12-06 (exactly twelve months) is not.
    const edge = (day: string) => ({ ...EMPTY_REPORT_PART, accidents: [acc(day, { deaths: 1 })] });
    expect(reviewFlags({ score: 80, minScore: 60, part: edge("2025-12-07"), asOf: lateUtc }).grounds).toEqual(["fatalAccident"]);
    expect(reviewFlags({ score: 80, minScore: 60, part: edge("2025-12-06"), asOf: lateUtc }).grounds).toEqual([]);
  });
  it("the structured part rejects bad numbers and dates with field messages", () => {
    const bad = reportPartSchema.safeParse({ ...EMPTY_REPORT_PART, accidents: [acc("2027/01/01", { deaths: -1 })] });
    expect(bad.success).toBe(false);
    const issues = bad.success ? [] : bad.error.issues.map((i) => [i.path.join("."), i.message]);
    expect(issues).toEqual(expect.arrayContaining([["accidents.0.occurredOn", "yearly.errors.date"], ["accidents.0.deaths", "yearly.errors.min?min=0"]]));
  });
});
