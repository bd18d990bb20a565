/**
 * China's statutory public holidays and make-up workdays (调休), as published each year by the
 * State Council's General Office, from the maintained `chinese-days` package (its JSON data only;
 * updating the package brings a new year's notice). Pure data: no clock, no I/O.
 */
import data from "chinese-days/dist/chinese-days.json";
import type { WorkingCalendar } from "./working-days";

const dates = (map: Record<string, string>): string[] => Object.keys(map).sort();

export const STATUTORY_CALENDAR = {
  holidays: dates(data.holidays),
  extraWorkdays: dates(data.workdays),
} as const;

/** The calendar years the dataset covers (a later year has weekends and tenant overrides only). */
export function statutoryCalendarYears(): { first: number; last: number } {
  const years = STATUTORY_CALENDAR.holidays.map((d) => Number(d.slice(0, 4)));
  return { first: Math.min(...years), last: Math.max(...years) };
}

/** Whether the dataset has the State Council's notice for the given year. */
export function statutoryCalendarCovers(year: number): boolean {
  const { first, last } = statutoryCalendarYears();
  return year >= first && year <= last;
}

/** A tenant's working calendar: the statutory one amended by the tenant's own overrides. */
export function tenantWorkingCalendar(overrides: {
  holidays?: readonly string[] | null;
  extraWorkdays?: readonly string[] | null;
}): WorkingCalendar {
  return {
    base: "cn-statutory",
    holidays: [...(overrides.holidays ?? [])],
    extraWorkdays: [...(overrides.extraWorkdays ?? [])],
  };
}
