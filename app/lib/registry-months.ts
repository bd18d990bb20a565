/**
 * The month buckets (`listedMonth`, YYYYMM in China time) the credit registry walks newest first
 * (decision 033). Pure.
 */
import { monthsNewestFirst } from "./month-buckets";

/** The registry's first month: the older list type starts in 2017. */
export const REGISTRY_FIRST_MONTH = 201701;
/** Months after today still walked: listings stamped by a clock running ahead. */
export const REGISTRY_MONTHS_AHEAD = 12;

/**
 * Every month bucket a listing can be in, newest first: with a `year` filter that year's twelve,
 * otherwise from REGISTRY_MONTHS_AHEAD months after `now` back to REGISTRY_FIRST_MONTH.
 */
export function registryMonthsNewestFirst(now: Date, year: number | null): number[] {
  if (year !== null) return Array.from({ length: 12 }, (_, i) => year * 100 + 12 - i);
  return monthsNewestFirst(now, REGISTRY_FIRST_MONTH, REGISTRY_MONTHS_AHEAD);
}
