/**
 * Working-day arithmetic for statutory deadlines (受理 5 个工作日, 公示 5–7 个工作日, 评审 ≤40 个工作日).
 *
 * Pure and clock-free. Days are China Standard Time calendar dates whatever the server's zone:
 * Asia/Shanghai has been UTC+08:00 without daylight saving since 1991, so a fixed offset gives the
 * same dates as the IANA zone for every date this product handles, and needs no Intl data.
 *
 * Conventions (the usual reading of "within n working days from …"):
 * - the start date itself is not counted; the deadline is the END (23:59:59.999 Shanghai time)
 *   of the n-th working day after it;
 * - n = 0 gives the end of the first working day on or after the start date, so a deadline
 *   never falls on a rest day;
 * - a working day is a Monday–Friday that is not a holiday, or any date listed as an extra
 *   workday (调休: the weekend days the State Council makes into working days around holidays).
 *   A date in both lists counts as a working day (the explicit workday wins).
 */

export interface WorkingCalendar {
  /**
   * The calendar these lists amend. `"cn-statutory"`: the State Council's public holidays and
   * make-up workdays (调休) from the maintained `chinese-days` dataset, with `holidays` and
   * `extraWorkdays` as the tenant's local overrides (an override wins over the dataset).
   * Absent: weekends plus the two lists only.
   */
  base?: "cn-statutory";
  /** Public holidays as Shanghai dates, YYYY-MM-DD (the State Council's yearly notice). */
  holidays: readonly string[];
  /** Weekend dates that are working days (调休), YYYY-MM-DD. */
  extraWorkdays?: readonly string[];
}

import { STATUTORY_CALENDAR } from "./statutory-calendar";

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar entry or a date argument that is not a valid date. */
export class CalendarError extends RangeError {
  override readonly name = "CalendarError";
}

/** Days since 1970-01-01 of the Shanghai calendar date of `at`. */
function shanghaiDayNumber(at: Date): number {
  const ms = at.getTime();
  if (!Number.isFinite(ms)) throw new CalendarError("Invalid date");
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS);
}

function dayNumberFromIsoDate(value: string): number {
  const m = ISO_DATE.exec(value);
  if (m === null) throw new CalendarError(`Not a YYYY-MM-DD date: "${value}"`);
  const [, y, mo, d] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  const day = Math.floor(ms / DAY_MS);
  // Date.UTC rolls 2026-02-30 over to March; a round trip catches it.
  if (isoDateFromDayNumber(day) !== value) throw new CalendarError(`No such date: "${value}"`);
  return day;
}

function isoDateFromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function endOfDay(day: number): Date {
  return new Date((day + 1) * DAY_MS - SHANGHAI_OFFSET_MS - 1);
}

interface CompiledCalendar {
  holidays: ReadonlySet<number>;
  extraWorkdays: ReadonlySet<number>;
}

let statutoryDays: CompiledCalendar | null = null;

function statutory(): CompiledCalendar {
  statutoryDays ??= {
    holidays: new Set(STATUTORY_CALENDAR.holidays.map(dayNumberFromIsoDate)),
    extraWorkdays: new Set(STATUTORY_CALENDAR.extraWorkdays.map(dayNumberFromIsoDate)),
  };
  return statutoryDays;
}

function compile(calendar: WorkingCalendar): CompiledCalendar {
  const holidays = new Set(calendar.holidays.map(dayNumberFromIsoDate));
  const extraWorkdays = new Set((calendar.extraWorkdays ?? []).map(dayNumberFromIsoDate));
  if (calendar.base !== "cn-statutory") return { holidays, extraWorkdays };
  // The tenant's overrides win: a local holiday cancels a statutory make-up day and vice versa.
  const base = statutory();
  return {
    holidays: new Set([...base.holidays].filter((d) => !extraWorkdays.has(d)).concat([...holidays])),
    extraWorkdays: new Set(
      [...base.extraWorkdays].filter((d) => !holidays.has(d)).concat([...extraWorkdays]),
    ),
  };
}

function isWorkingDayNumber(day: number, cal: CompiledCalendar): boolean {
  if (cal.extraWorkdays.has(day)) return true;
  // 1970-01-01 was a Thursday (4); 0 = Sunday … 6 = Saturday.
  const weekday = (((day + 4) % 7) + 7) % 7;
  if (weekday === 0 || weekday === 6) return false;
  return !cal.holidays.has(day);
}

/** Entries of a calendar that are not valid YYYY-MM-DD dates (empty when the calendar is usable). */
export function calendarProblems(calendar: WorkingCalendar): string[] {
  const bad: string[] = [];
  for (const value of [...calendar.holidays, ...(calendar.extraWorkdays ?? [])]) {
    try {
      dayNumberFromIsoDate(value);
    } catch {
      bad.push(value);
    }
  }
  return bad;
}

/** The Shanghai calendar date of an instant, as YYYY-MM-DD. */
export function shanghaiDate(at: Date): string {
  return isoDateFromDayNumber(shanghaiDayNumber(at));
}

/** Whether a Shanghai date (YYYY-MM-DD, or the Shanghai date of an instant) is a working day. */
export function isWorkingDay(date: Date | string, calendar: WorkingCalendar): boolean {
  const day = typeof date === "string" ? dayNumberFromIsoDate(date) : shanghaiDayNumber(date);
  return isWorkingDayNumber(day, compile(calendar));
}

/**
 * The deadline `days` working days after `start`: the last millisecond (Shanghai time) of the
 * `days`-th working day after start's Shanghai date. Throws a RangeError for a negative or
 * fractional count and a CalendarError for an invalid date or calendar entry.
 */
export function addWorkingDays(start: Date, days: number, calendar: WorkingCalendar): Date {
  if (!Number.isSafeInteger(days) || days < 0) {
    throw new RangeError(`Working days must be a non-negative integer, got ${days}`);
  }
  const cal = compile(calendar);
  let day = shanghaiDayNumber(start);
  if (days === 0) {
    while (!isWorkingDayNumber(day, cal)) day += 1;
    return endOfDay(day);
  }
  // Terminates: the holiday list is finite, so working days keep coming.
  let left = days;
  while (left > 0) {
    day += 1;
    if (isWorkingDayNumber(day, cal)) left -= 1;
  }
  return endOfDay(day);
}

/**
 * Working days in the Shanghai dates after `a`'s date up to and including `b`'s date (negative
 * when `b` is before `a`). For n ≥ 1, `workingDaysBetween(a, addWorkingDays(a, n)) === n`, and a
 * span within one date is 0.
 */
export function workingDaysBetween(a: Date, b: Date, calendar: WorkingCalendar): number {
  const from = shanghaiDayNumber(a);
  const to = shanghaiDayNumber(b);
  if (to < from) return -workingDaysBetween(b, a, calendar);
  const cal = compile(calendar);
  let count = 0;
  for (let day = from + 1; day <= to; day += 1) {
    if (isWorkingDayNumber(day, cal)) count += 1;
  }
  return count;
}
