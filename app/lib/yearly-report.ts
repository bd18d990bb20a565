/**
 * Yearly self-assessment reports (年度自评报告, DOMAIN.md §10): pure rules shared by the job, the
 * data layer and the pages. A certified enterprise owes one report per year of validity, due a
 * tenant-configured number of days after each anniversary of the certificate, while the
 * certificate is still in force; reminders go out 30 and 7 days before and on the day it is overdue.
 * A submitted report whose score falls below the certified level's band, or whose accidents meet a
 * revocation ground, becomes a "revocation review" task for the regulator.
 */
import { z } from "zod";
import { addDays, addMonths, shanghaiDay, startOfShanghaiDay } from "./certificate";
import { accidentGrounds, type AccidentFacts, type RevocationGroundKey } from "./revocation-grounds";
import { msg, optionalText } from "./validation";

export const DEFAULT_YEARLY_REPORT_DUE_DAYS = 30;
/** Days before the due date on which the enterprise is reminded; 0 = the day it becomes overdue. */
export const YEARLY_REPORT_REMINDERS = [30, 7, 0] as const;
export type YearlyReportReminder = (typeof YEARLY_REPORT_REMINDERS)[number];

export const YEARLY_REPORT_STATES = ["due", "overdue", "submitted"] as const;
/** The regulator's list filters ("review": an open revocation review). */
export const YEARLY_REPORT_FILTERS = ["all", "due", "overdue", "submitted", "review"] as const;
export type YearlyReportFilter = (typeof YEARLY_REPORT_FILTERS)[number];
export type YearlyReportState = (typeof YEARLY_REPORT_STATES)[number];

export type ReportSlot = {
  /** Year of validity, 1-based. */
  year: number;
  periodStart: Date;
  /** The anniversary that closes this year of validity. */
  periodEnd: Date;
  dueAt: Date;
};

/**
 * The reports a certificate owes: one per year of validity whose due date (anniversary + dueDays,
 * start of that day in China) falls before the end of validity. A 3-year certificate with the
 * default 30 days owes two; the third year is covered by the renewal.
 */
export function reportSchedule(
  cert: { issuedAt: Date; validUntil: Date },
  dueDays: number = DEFAULT_YEARLY_REPORT_DUE_DAYS,
): ReportSlot[] {
  const slots: ReportSlot[] = [];
  for (let year = 1; year <= 50; year++) {
    const periodStart = startOfShanghaiDay(addMonths(cert.issuedAt, 12 * (year - 1)));
    const periodEnd = startOfShanghaiDay(addMonths(cert.issuedAt, 12 * year));
    const dueAt = addDays(periodEnd, dueDays);
    if (dueAt.getTime() > cert.validUntil.getTime()) break;
    slots.push({ year, periodStart, periodEnd, dueAt });
  }
  return slots;
}

/** The tenant's due days after each anniversary, or the default when unset or out of range. */
export function yearlyReportDueDays(settings: { yearlyReportDueDays?: number } | undefined): number {
  const days = settings?.yearlyReportDueDays;
  return typeof days === "number" && Number.isInteger(days) && days >= -180 && days <= 180
    ? days
    : DEFAULT_YEARLY_REPORT_DUE_DAYS;
}

/** When a report is created (and shown as due): this many days before its due date. */
export const REPORT_OPENS_DAYS_BEFORE_DUE = 60;

export function reportState(
  report: { submittedAt: Date | string | null; dueAt: Date | string },
  now: Date,
): YearlyReportState {
  if (report.submittedAt) return "submitted";
  return now.getTime() >= new Date(report.dueAt).getTime() ? "overdue" : "due";
}

/**
 * The reminder to send now, if any: the latest threshold reached and not yet sent. A job that was
 * down for a while sends only the most recent one, never a burst.
 */
export function reminderToSend(
  dueAt: Date,
  now: Date,
  sent: readonly number[],
): YearlyReportReminder | null {
  const daysLeft = (dueAt.getTime() - now.getTime()) / 86_400_000;
  const reached = YEARLY_REPORT_REMINDERS.filter((d) => daysLeft <= d);
  const latest = reached.at(-1);
  if (latest === undefined || sent.includes(latest)) return null;
  return latest;
}

// ---------------------------------------------------------------------------------------------
// The structured part

export const ACCIDENT_CLASSES = ["general", "major3", "serious", "especially"] as const;
export type AccidentClass = (typeof ACCIDENT_CLASSES)[number];

const count = (max: number) =>
  z.coerce
    .number({ error: msg("yearly.errors.number") })
    .int({ error: msg("yearly.errors.integer") })
    .min(0, { error: msg("yearly.errors.min", { min: 0 }) })
    .max(max, { error: msg("yearly.errors.max", { max }) });

export const accidentSchema = z.object({
  occurredOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: msg("yearly.errors.date") }),
  accidentClass: z.enum(ACCIDENT_CLASSES, { error: msg("errors.invalidChoice") }),
  deaths: count(10_000),
  seriousInjuries: count(10_000),
  /** CNY, whole yuan or with fen. */
  directLoss: z.coerce
    .number({ error: msg("yearly.errors.number") })
    .min(0, { error: msg("yearly.errors.min", { min: 0 }) })
    .max(1e12, { error: msg("yearly.errors.max", { max: 1e12 }) }),
  summary: optionalText(500, { multiLine: true }),
});
export type AccidentInput = z.output<typeof accidentSchema>;

const change = z.object({
  changed: z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean()),
  detail: optionalText(300),
});

export const reportPartSchema = z.object({
  accidents: z.array(accidentSchema).max(50).default([]),
  hazards: z.object({ found: count(100_000), fixed: count(100_000), overdue: count(100_000) }),
  changes: z.object({ name: change, address: change, scope: change, principal: change }),
  note: optionalText(2000, { multiLine: true }),
});
export type ReportPart = z.output<typeof reportPartSchema>;

export const EMPTY_REPORT_PART: ReportPart = {
  accidents: [],
  hazards: { found: 0, fixed: 0, overdue: 0 },
  changes: {
    name: { changed: false, detail: "" },
    address: { changed: false, detail: "" },
    scope: { changed: false, detail: "" },
    principal: { changed: false, detail: "" },
  },
  note: "",
};

/** A China calendar date (YYYY-MM-DD) as the instant at noon that day, for window arithmetic. */
export function dayInstant(isoDay: string): Date {
  return new Date(`${isoDay}T04:00:00.000Z`);
}

export function accidentFacts(accidents: readonly AccidentInput[]): AccidentFacts[] {
  return accidents.map((a) => ({
    occurredAt: dayInstant(a.occurredOn),
    deaths: a.deaths,
    seriousInjuries: a.seriousInjuries,
    directLoss: a.directLoss,
  }));
}

export type ReviewFlags = {
  /** The self-assessment score is below the certified level's minimum. */
  belowBand: boolean;
  /** Revocation grounds the report itself shows (accidents, unfixed major hazards). */
  grounds: RevocationGroundKey[];
};

export function reviewFlags({
  score,
  minScore,
  part,
  asOf,
}: {
  score: number | null;
  minScore: number | null;
  part: ReportPart;
  asOf: Date;
}): ReviewFlags {
  // Accidents are dated by China calendar day (noon instants): the window ends with asOf's China
  // day, so an accident dated today counts from the first minute of the day, not from noon.
  const asOfDay = shanghaiDay(asOf);
  const pad = (n: number) => String(n).padStart(2, "0");
  const windowEnd = dayInstant(`${asOfDay.year}-${pad(asOfDay.month)}-${pad(asOfDay.day)}`);
  const grounds = accidentGrounds(accidentFacts(part.accidents), windowEnd);
  if (part.hazards.overdue > 0) grounds.push("majorHazardUnfixed");
  return {
    belowBand: score !== null && minScore !== null && score < minScore,
    grounds,
  };
}

export function needsReview(flags: ReviewFlags): boolean {
  return flags.belowBand || flags.grounds.length > 0;
}
