/** Credit records: the members' list and the enterprise page's panel. */
import type { EnterpriseScope } from "./enterprise-scope.server";
import { type Types } from "mongoose";
import { enterpriseCreditCode } from "../enterprise-master/credit-code.server";
import { connectDb } from "~/db.server";
import { CREDIT_CONDITIONS, CREDIT_STATUSES, normalizeForSearch, type CreditStatus } from "~/lib/credit";
import { can } from "~/lib/permissions";
import { type TenantScope } from "../ids.server";
import { pageOf } from "~/lib/lists/rows";
import { type CreditMember, enterprisesInScope } from "./access.server";
import { creditRows, type CreditRow } from "./list-rows.server";

// ---------------------------------------------------------------------------------------------
// Views

export const CREDIT_PAGE_SIZE = 20;

export type CreditListFilters = {
  status?: string;
  condition?: string;
  year?: number;
  q?: string;
  page?: number;
  enterpriseId?: Types.ObjectId;
  /** Only records of these enterprises (a district/industry drill-down from the dashboard). */
  scope?: EnterpriseScope | null;
};

export type CreditListItem = {
  id: string;
  subjectName: string;
  creditCode: string;
  subjectType: string;
  listType: string;
  conditionKey: string;
  state: string;
  status: CreditStatus;
  defenceDeadline: string | null;
  listedAt: string | null;
  endsAt: string | null;
  removalReason: string | null;
  updatedAt: string;
};

function listItem(d: CreditRow): CreditListItem {
  return {
    id: String(d._id),
    subjectName: d.subjectName,
    creditCode: d.creditCode,
    subjectType: d.subjectType,
    listType: d.listType,
    conditionKey: d.conditionKey,
    state: d.state,
    status: d.status,
    defenceDeadline: d.defenceDeadline?.toISOString() ?? null,
    listedAt: d.listedAt?.toISOString() ?? null,
    endsAt: d.endsAt?.toISOString() ?? null,
    removalReason: d.removalReason,
    updatedAt: d.updatedAt.toISOString(),
  };
}

type RowTest = (r: CreditRow) => boolean;
const sameId = (a: Types.ObjectId | null, b: Types.ObjectId) => a !== null && b.equals(a);

/** Which records the member may list at all (null = none), before the list's own filters. */
async function visibleRows(tenantId: Types.ObjectId, member: CreditMember, enterpriseId: Types.ObjectId | undefined): Promise<RowTest | null> {
  if (!can(member.permissions, "read:credit:any")) {
    const own = member.enterpriseId;
    if (!own) return null;
    return (r) => sameId(r.enterpriseId, own) && r.status !== "draft";
  }
  // A district-limited regulator: records linked to enterprises of its districts only.
  const inScope = await enterprisesInScope(tenantId, member);
  if (inScope) {
    const ids = new Set(inScope.map((id) => id.toHexString()));
    return (r) => r.enterpriseId !== null && ids.has(r.enterpriseId.toHexString()) && (!enterpriseId || enterpriseId.equals(r.enterpriseId));
  }
  return enterpriseId ? (r) => sameId(r.enterpriseId, enterpriseId) : () => true;
}

/** The list's own filters: status, condition, year, and the search or the district/industry scope. */
function filterTest(filters: CreditListFilters): RowTest {
  const status = filters.status && CREDIT_STATUSES.some((s) => s === filters.status) ? filters.status : null;
  const condition = filters.condition && CREDIT_CONDITIONS.some((c) => c.key === filters.condition) ? filters.condition : null;
  const year = filters.year || null;
  const q = normalizeForSearch(filters.q ?? "");
  // Within a district/industry scope the search was applied to the scope's enterprises already.
  const scope = filters.scope;
  const scopeIds = scope ? new Set(scope.enterpriseIds.map((id) => id.toHexString())) : null;
  const scopeCodes = scope ? new Set(scope.searchCodes) : null;
  return (r) =>
    (!status || r.status === status) &&
    (!condition || r.conditionKey === condition) &&
    (!year || r.listedYear === year) &&
    (scopeIds && scopeCodes
      ? (r.enterpriseId !== null && scopeIds.has(r.enterpriseId.toHexString())) || scopeCodes.has(r.search.code)
      : !q || r.search.name.includes(q) || r.search.code.startsWith(q));
}

export async function listCreditRecords({
  tenantId,
  member,
  filters,
}: TenantScope & { member: CreditMember; filters: CreditListFilters }): Promise<{
  items: CreditListItem[];
  total: number;
  page: number;
  pageSize: number;
  years: number[];
}> {
  await connectDb();
  const empty = { items: [], total: 0, page: 1, pageSize: CREDIT_PAGE_SIZE, years: [] };
  const [all, visible] = await Promise.all([creditRows(tenantId), visibleRows(tenantId, member, filters.enterpriseId)]);
  if (!visible) return empty;
  // From the tenant's cached rows (decision 031); the year options depend on the visible rows only.
  const mine = all.filter(visible);
  const years = [...new Set(mine.flatMap((r) => (typeof r.listedYear === "number" ? [r.listedYear] : [])))].sort((a, b) => b - a);
  const { items, total, page } = pageOf(mine.filter(filterTest(filters)), filters.page ?? 1, CREDIT_PAGE_SIZE, listItem);
  return { items, total, page, pageSize: CREDIT_PAGE_SIZE, years };
}

/** Small panel on the enterprise page: the enterprise's records (by link or credit code). */
export async function creditRecordsOfEnterprise({
  tenantId,
  enterpriseId,
}: TenantScope & { enterpriseId: Types.ObjectId }): Promise<CreditListItem[]> {
  await connectDb();
  const creditCode = await enterpriseCreditCode({ tenantId, enterpriseId });
  const code = creditCode === null ? null : normalizeForSearch(creditCode);
  const rows = (await creditRows(tenantId)).filter((r) => sameId(r.enterpriseId, enterpriseId) || r.search.code === code);
  return rows.slice(0, 50).map(listItem);
}
