/**
 * The month buckets (`listedMonth`, YYYYMM in China time) the credit registry walks newest first
 * (decision 033). Pure.
 */
import { shanghaiDay } from "./certificate";

/** The registry's first month: the older list type starts in 2017. */
export const REGISTRY_FIRST_MONTH = 201701;
/** Months after today still walked: listings stamped by a clock running ahead. */
export const REGISTRY_MONTHS_AHEAD = 12;

const monthIndex = (yyyymm: number) => Math.floor(yyyymm / 100) * 12 + ((yyyymm % 100) - 1);
const fromIndex = (index: number) => Math.floor(index / 12) * 100 + (index % 12) + 1;

/**
 * Every month bucket a listing can be in, newest first: with a `year` filter that year's twelve,
 * otherwise from REGISTRY_MONTHS_AHEAD months after `now` back to REGISTRY_FIRST_MONTH.
 */
export function registryMonthsNewestFirst(now: Date, year: number | null): number[] {
  if (year !== null) return Array.from({ length: 12 }, (_, i) => year * 100 + 12 - i);
  const today = shanghaiDay(now);
  const last = monthIndex(today.year * 100 + today.month) + REGISTRY_MONTHS_AHEAD;
  const first = monthIndex(REGISTRY_FIRST_MONTH);
  const months: number[] = [];
  for (let i = last; i >= first; i--) months.push(fromIndex(i));
  return months;
}
