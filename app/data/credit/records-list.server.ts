/** Credit records: the members' list and the enterprise page's panel. */
import { scopeClause, type EnterpriseScope } from "./enterprise-scope.server";
import { oncePerRequest } from "~/request-scope.server";
import { type Types } from "mongoose";
import { CreditRecord, type CreditRecordDoc } from "../../../models/credit-record";
import { Enterprise } from "../../../models/enterprise";
import { connectDb } from "~/db.server";
import { CREDIT_CONDITIONS, CREDIT_STATUSES, normalizeForSearch, type CreditStatus } from "~/lib/credit";
import { can } from "~/lib/permissions";
import { type TenantScope } from "../ids.server";
import { type CreditMember, enterprisesInScope } from "./access.server";

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

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A member's list: everything for regulators (archive included), own records for enterprises. */
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
  const base: Record<string, unknown> = { tenantId };
  if (!can(member.permissions, "read:credit:any")) {
    if (!member.enterpriseId) return { items: [], total: 0, page: 1, pageSize: CREDIT_PAGE_SIZE, years: [] };
    base.enterpriseId = member.enterpriseId;
    base.status = { $ne: "draft" };
  } else {
    // A district-limited regulator: records linked to enterprises of its districts only.
    const inScope = await enterprisesInScope(tenantId, member);
    if (inScope) {
      const wanted = filters.enterpriseId ? inScope.filter((id) => id.equals(filters.enterpriseId ?? "")) : inScope;
      base.enterpriseId = wanted.length === 1 ? wanted[0] : { $in: wanted };
    } else if (filters.enterpriseId) base.enterpriseId = filters.enterpriseId;
  }
  const filter: Record<string, unknown> = { ...base };
  if (filters.status && CREDIT_STATUSES.some((s) => s === filters.status))
    filter.status = base.status && filters.status === "draft" ? "__none__" : filters.status;
  if (filters.condition && CREDIT_CONDITIONS.some((c) => c.key === filters.condition)) filter.conditionKey = filters.condition;
  if (filters.year) filter.listedYear = filters.year;
  const q = normalizeForSearch(filters.q ?? "");
  // Within a district/industry scope the search was applied to the scope's enterprises already.
  if (filters.scope) Object.assign(filter, scopeClause(filters.scope));
  else if (q) filter.$or = [{ "search.name": { $regex: escapeRegex(q) } }, { "search.code": { $regex: `^${escapeRegex(q)}` } }];
  const page = Math.max(1, Math.floor(filters.page ?? 1));
  const [docs, yearsRaw] = await Promise.all([
    CreditRecord.find(filter)
      .sort({ updatedAt: -1, _id: -1 })
      .skip((page - 1) * CREDIT_PAGE_SIZE)
      .limit(CREDIT_PAGE_SIZE)
      .select({ history: 0, facts: 0, legalBasis: 0, decisionText: 0, effects: 0, defence: 0, repair: 0 })
      .lean<CreditRecordDoc[]>(),
    // The year filter's options depend on the scope only: the to-do home's lists share one read.
    oncePerRequest(`credit-record-years:${JSON.stringify(base)}`, () => CreditRecord.distinct("listedYear", base).exec()),
  ]);
  // A first page that is not full is everything there is: no count (decision 027).
  const total = page === 1 && docs.length < CREDIT_PAGE_SIZE ? docs.length : await CreditRecord.countDocuments(filter);
  const years = (yearsRaw as unknown[]).filter((y): y is number => typeof y === "number").sort((a, b) => b - a);
  return {
    items: docs.map((d) => ({
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
    })),
    total,
    page,
    pageSize: CREDIT_PAGE_SIZE,
    years,
  };
}

/** Small panel on the enterprise page: the enterprise's records (by link or credit code). */
export async function creditRecordsOfEnterprise({
  tenantId,
  enterpriseId,
}: TenantScope & { enterpriseId: Types.ObjectId }): Promise<CreditListItem[]> {
  await connectDb();
  const enterprise = await Enterprise.findOne({ tenantId, _id: enterpriseId })
    .select({ creditCode: 1 })
    .lean<{ creditCode: string }>();
  const or: Record<string, unknown>[] = [{ enterpriseId }];
  if (enterprise) or.push({ "search.code": normalizeForSearch(enterprise.creditCode) });
  const docs = await CreditRecord.find({ tenantId, $or: or })
    .sort({ updatedAt: -1 })
    .limit(50)
    .select({ history: 0, effects: 0 })
    .lean<CreditRecordDoc[]>();
  return docs.map((d) => ({
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
  }));
}
