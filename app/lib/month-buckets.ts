/**
 * Month buckets (YYYYMM in China time) that large newest-first lists are read by: the public
 * credit registry (decision 033) and the audit log (decision 034). FerretDB 1.x sorts only after
 * decoding every match, so such lists read one month at a time by top-level equality. Pure.
 */
import { shanghaiDay } from "./certificate";

/** The month (YYYYMM) of an instant in China time. */
export function chinaMonth(at: Date): number {
  const day = shanghaiDay(new Date(at));
  return day.year * 100 + day.month;
}

const monthIndex = (yyyymm: number) => Math.floor(yyyymm / 100) * 12 + ((yyyymm % 100) - 1);
const fromIndex = (index: number) => Math.floor(index / 12) * 100 + (index % 12) + 1;

/** Every month from `ahead` months after `now`'s (China time) back to `first`, newest first. */
export function monthsNewestFirst(now: Date, first: number, ahead: number): number[] {
  const last = monthIndex(chinaMonth(now)) + ahead;
  const months: number[] = [];
  for (let i = last; i >= monthIndex(first); i--) months.push(fromIndex(i));
  return months;
}
