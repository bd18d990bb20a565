/**
 * Pure: the regulator's application queues over the tenant's cached rows (decision 031, section
 * "Application rows"), with the semantics the queries had: submitted at least once, the cycle,
 * the district scope (by the application's own `districtCode`), the per-state counts of every
 * queue, the queue's states or an overdue filter, the enterprise's industry / size class and the
 * search box (name substring, credit-code prefix). The order of `rows` is kept.
 */
import type { EnterpriseRow } from "~/lib/lists/enterprise-rows";
import { nameOrCodeMatcher } from "~/lib/lists/rows";
import { districtsToShow, type DistrictScoped } from "~/lib/district-scope";
import { APPLICATION_QUEUES, type ApplicationQueue } from "~/workflows/grading-input";

export type QueueRow = {
  enterpriseId: { toHexString(): string };
  districtCode: string;
  cycle: string;
  state: string;
  submittedAt: Date | null;
  deadlines: Record<string, Date | string | null> | null;
};

export type QueueFilters = {
  queue: ApplicationQueue;
  q?: string;
  cycle?: string;
  now: Date;
  states?: readonly string[];
  overdue?: "acceptance" | "review" | "any";
  enterprise?: { districtCode?: string; industry?: string; sizeClass?: string };
  scope: DistrictScoped;
};

const ACCEPTANCE_LATE = new Set(["submitted", "renewalCheck"]);
const REVIEW_LATE = new Set(["reviewAssigned", "underReview.reviewing"]);

/** `deadline < now` as the query's `$lt: now` (a date only: a string never compares with a date). */
function before(value: Date | string | null | undefined, now: Date): boolean {
  return value instanceof Date && value.getTime() < now.getTime();
}

function isOverdue(r: QueueRow, which: "acceptance" | "review" | "any", now: Date): boolean {
  const acceptance = ACCEPTANCE_LATE.has(r.state) && before(r.deadlines?.acceptBy, now);
  const review = REVIEW_LATE.has(r.state) && before(r.deadlines?.reviewBy, now);
  return which === "acceptance" ? acceptance : which === "review" ? review : acceptance || review;
}

/** The enterprises the enterprise filters and the search box allow; null = no such filter. */
function allowedEnterprises(enterprises: ReadonlyMap<string, EnterpriseRow>, f: QueueFilters): Set<string> | null {
  const e = f.enterprise;
  const byAttributes = !!e && !!(e.industry || e.sizeClass);
  const text = nameOrCodeMatcher(f.q);
  if (!byAttributes && !text) return null;
  const allowed = new Set<string>();
  for (const [id, row] of enterprises) {
    if (byAttributes && e) {
      if (e.districtCode && row.districtCode !== e.districtCode) continue;
      if (e.industry && row.industry !== e.industry) continue;
      if (e.sizeClass && row.sizeClass !== e.sizeClass) continue;
    }
    if (text && !text(row.name, row.creditCode)) continue;
    allowed.add(id);
  }
  return allowed;
}

export function selectQueueRows<R extends QueueRow>(
  rows: readonly R[],
  enterprises: ReadonlyMap<string, EnterpriseRow>,
  f: QueueFilters,
): { counts: Record<ApplicationQueue, number>; rows: R[] } {
  const districts = districtsToShow(f.scope, f.enterprise?.districtCode ?? "");
  const inDistricts = districts ? new Set(districts) : null;
  const base = rows.filter(
    (r) =>
      r.submittedAt !== null &&
      (!f.cycle || r.cycle === f.cycle) &&
      (!inDistricts || inDistricts.has(r.districtCode)),
  );
  const perState = new Map<string, number>();
  for (const r of base) perState.set(r.state, (perState.get(r.state) ?? 0) + 1);
  const counts = Object.fromEntries(
    APPLICATION_QUEUES.map((d) => [d.key, d.states.reduce((sum: number, s: string) => sum + (perState.get(s) ?? 0), 0)]),
  ) as Record<ApplicationQueue, number>;
  const def = APPLICATION_QUEUES.find((d) => d.key === f.queue) ?? APPLICATION_QUEUES[0];
  const states = new Set<string>(f.states ?? def.states);
  const allowed = allowedEnterprises(enterprises, f);
  const overdue = f.overdue;
  const picked = base.filter(
    (r) =>
      (overdue ? isOverdue(r, overdue, f.now) : states.has(r.state)) &&
      (!allowed || allowed.has(r.enterpriseId.toHexString())),
  );
  return { counts, rows: picked };
}
