/**
 * The tenant's enterprises as slim rows, sorted by name, cached per process under the tenant's
 * enterprise stamp (decision 031): the list page, its CSV/XLSX export, the credit picker and the
 * district/industry scopes of the credit list all read these instead of querying the collection.
 */
import type { Types } from "mongoose";
import { Enterprise } from "../../models/enterprise";
import { ENTERPRISE_ROW_FIELDS, byNameThenId, type EnterpriseRow as Row } from "~/lib/lists/enterprise-rows";
import { logger } from "~/logger.server";
import { cachedTenantRows } from "./tenant-list-cache.server";

export type EnterpriseRow = Row<Types.ObjectId>;

/** Far beyond one city's directory (≈ 10,000): a bound on the one read, never reached in practice. */
export const ENTERPRISE_ROWS_MAX = 100_000;

export async function loadEnterpriseRows(tenantId: Types.ObjectId): Promise<EnterpriseRow[]> {
  const docs = await Enterprise.find({ tenantId })
    .select(ENTERPRISE_ROW_FIELDS)
    .limit(ENTERPRISE_ROWS_MAX)
    .lean<Array<Partial<EnterpriseRow> & Pick<EnterpriseRow, "_id" | "name" | "creditCode" | "industry" | "sizeClass" | "districtCode">>>();
  if (docs.length >= ENTERPRISE_ROWS_MAX) logger.warn({ tenantId: String(tenantId) }, "enterprise rows cut at ENTERPRISE_ROWS_MAX");
  const rows: EnterpriseRow[] = docs.map((d) => ({
    _id: d._id,
    name: d.name,
    creditCode: d.creditCode,
    industry: d.industry,
    sizeClass: d.sizeClass,
    districtCode: d.districtCode,
    status: d.status ?? "active",
    address: d.address ?? "",
    contactName: d.contactName ?? "",
    contactPhone: d.contactPhone ?? "",
  }));
  return rows.sort(byNameThenId);
}

/** The tenant's enterprise rows in list order (shared: do not mutate). */
export async function enterpriseRows(tenantId: Types.ObjectId): Promise<readonly EnterpriseRow[]> {
  return cachedTenantRows("enterprises", String(tenantId), () => loadEnterpriseRows(tenantId));
}
