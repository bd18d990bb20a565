/**
 * The tenant's application rows (decision 027's list view) cached per process under the tenant's
 * `application-rows` stamp (decision 031, section "Application rows"). The regulator's queues,
 * their counts, the overdue filters and the to-do home filter, sort, count and page these in Node:
 * FerretDB pushes down neither `$in`, `$or`, ranges, sorts, counts nor aggregates, so each of those
 * queries decoded every row of the tenant.
 */
import type { Types } from "mongoose";
import { ApplicationRow, type ApplicationRowDoc } from "../../../models/application-row";
import { compareText } from "~/lib/lists/rows";
import { logger } from "~/logger.server";
import { enterpriseRows, type EnterpriseRow } from "../enterprise-rows.server";
import { cachedTenantRows } from "../tenant-list-cache.server";

export type CachedApplicationRow = Pick<
  ApplicationRowDoc,
  | "_id"
  | "enterpriseId"
  | "districtCode"
  | "cycle"
  | "state"
  | "appliedLevel"
  | "scoreSummary"
  | "submittedAt"
  | "updatedAt"
  | "deadlines"
  | "reviewerIds"
  | "rubricVersionId"
  | "workflow"
  | "objectionCount"
>;

const ROW_FIELDS = {
  enterpriseId: 1,
  districtCode: 1,
  cycle: 1,
  state: 1,
  appliedLevel: 1,
  scoreSummary: 1,
  submittedAt: 1,
  updatedAt: 1,
  deadlines: 1,
  reviewerIds: 1,
  rubricVersionId: 1,
  workflow: 1,
  objectionCount: 1,
} as const;

/** Far beyond one city's applications (≈ 3,000 over three years): a bound on the one read. */
export const APPLICATION_ROWS_MAX = 100_000;

/** The tenant's rows in the two orders the queues use (shared: do not mutate). */
export type ApplicationRowsView = {
  /** Latest change first, then `_id` (the query's `{ updatedAt: -1, _id: 1 }`). */
  byUpdated: readonly CachedApplicationRow[];
  /** Oldest submission first, then `_id` (`{ submittedAt: 1, _id: 1 }`, unsubmitted first). */
  bySubmitted: readonly CachedApplicationRow[];
};

const time = (d: Date | null | undefined) => (d ? d.getTime() : Number.NEGATIVE_INFINITY);
const idOrder = (a: CachedApplicationRow, b: CachedApplicationRow) => compareText(String(a._id), String(b._id));

async function loadApplicationRows(tenantId: Types.ObjectId): Promise<ApplicationRowsView> {
  const rows = await ApplicationRow.find({ tenantId })
    .select(ROW_FIELDS)
    .limit(APPLICATION_ROWS_MAX)
    .lean<CachedApplicationRow[]>();
  if (rows.length >= APPLICATION_ROWS_MAX) logger.warn({ tenantId: String(tenantId) }, "application rows cut at APPLICATION_ROWS_MAX");
  for (const r of rows) {
    r.districtCode ??= "";
    r.submittedAt ??= null;
    r.objectionCount ??= 0;
    r.reviewerIds ??= [];
  }
  return {
    byUpdated: [...rows].sort((a, b) => time(b.updatedAt) - time(a.updatedAt) || idOrder(a, b)),
    bySubmitted: [...rows].sort((a, b) => time(a.submittedAt) - time(b.submittedAt) || idOrder(a, b)),
  };
}

/** One `_id` read of the stamps per request; one read of the tenant's rows per change. */
export async function applicationRows(tenantId: Types.ObjectId): Promise<ApplicationRowsView> {
  return cachedTenantRows("application-rows", String(tenantId), () => loadApplicationRows(tenantId));
}

const enterpriseIndex = new WeakMap<readonly EnterpriseRow[], Map<string, EnterpriseRow>>();

/** The tenant's enterprises by id, from the cached enterprise rows (no read per application). */
export async function enterprisesById(tenantId: Types.ObjectId): Promise<Map<string, EnterpriseRow>> {
  const rows = await enterpriseRows(tenantId);
  let index = enterpriseIndex.get(rows);
  if (!index) {
    index = new Map(rows.map((e) => [e._id.toHexString(), e]));
    enterpriseIndex.set(rows, index);
  }
  return index;
}
